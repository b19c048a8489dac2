package dev.ktstr.vmm.kernel;

import java.nio.file.Path;

/** Where {@link KernelBuilder} gets a kernel tree from. */
public sealed interface KernelSourceSpec {

    /** A tarball on disk; {@code version} was read from its top-level Makefile. */
    record TarballFile(Path file, String version) implements KernelSourceSpec {}

    /** A kernel.org release tarball to download. */
    record Download(KernelVersion version, String url) implements KernelSourceSpec {}

    /** A kernel tree built in place. */
    record LocalTree(Path dir) implements KernelSourceSpec {}
}
