package dev.ktstr.coordinator.testrun;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A resolved kernel as the coordinator ships it to workers.
 *
 * @param label   gauntlet label (e.g. {@code kernel_6_12_117}), used in multi-kernel variant names
 * @param version kernel version for sidecars and run ids, {@code unknown} when not known
 * @param image   the bootable image (PVH vmlinux or bzImage)
 * @param btf     raw {@code .BTF} section, if known (host monitor)
 * @param systemMap {@code System.map}, if known (host monitor)
 * @param schedulers directory of scheduler binaries built from this kernel's tree, if any
 * @param commit  7 hex digits of the git HEAD it was built from (the sidecar's kernel_commit), null when
 *                it came from no git tree
 */
public record KernelArtifacts(String label, String version, Path image, Optional<Path> btf, Optional<Path> systemMap,
                              Optional<Path> schedulers, String commit) {

    /** A kernel built from no git tree (or one not known). */
    public KernelArtifacts(String label, String version, Path image, Optional<Path> btf, Optional<Path> systemMap,
                           Optional<Path> schedulers) {
        this(label, version, image, btf, systemMap, schedulers, null);
    }

    public KernelArtifacts {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(image, "image");
        version = version == null || version.isBlank() ? "unknown" : version;
        btf = btf == null ? Optional.empty() : btf;
        systemMap = systemMap == null ? Optional.empty() : systemMap;
        schedulers = schedulers == null ? Optional.empty() : schedulers;
    }
}
