package dev.ktstr.vmm.initramfs;

import java.nio.file.Path;
import java.util.Arrays;

/** One entry of the guest file tree before it is written as cpio. Permissions are octal bits without the type. */
sealed interface GuestNode {
    int perm();

    /** Seconds since the epoch written into the cpio header. */
    long mtime();

    record Dir(int perm) implements GuestNode {
        public long mtime() { return 0; }
    }

    /**
     * A file copied from the host.
     *
     * @param identity a stand-in for the content digest when the content is already identified by a
     *                 cache key (the jlinked JRE), so 70 MB need not be hashed on every build; null = hash it
     * @param origin   what put it there, for conflict messages
     */
    record HostFile(Path source, Path canonical, int perm, long mtime, long size, String identity, String origin) implements GuestNode {}

    record Bytes(byte[] data, int perm, String origin) implements GuestNode {
        public long mtime() { return 0; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && b.perm == perm && Arrays.equals(b.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data) * 31 + perm;
        }
    }

    record Symlink(String target) implements GuestNode {
        public int perm() { return 0777; }
        public long mtime() { return 0; }
    }

    record CharDevice(int perm, int major, int minor) implements GuestNode {
        public long mtime() { return 0; }
    }
}
