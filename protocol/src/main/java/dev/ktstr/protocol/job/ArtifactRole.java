package dev.ktstr.protocol.job;

/** What an artifact is for; the VM executor picks files by role, never by guessing from names. */
public enum ArtifactRole {
    TEST_JAR, KERNEL_IMAGE, KERNEL_BTF, SYSTEM_MAP, SCHEDULER, INCLUDE_FILE, OTHER
}
