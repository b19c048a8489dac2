package dev.ktstr.vmm.qemu;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where guest RAM lives on the host. The host monitor reads guest memory through the RAM file, so
 * only the file-backed variants allow it; the file is named by {@link VmPaths} inside the
 * directory and removed with the VM.
 */
public sealed interface RamBacking {
    /** 2 MiB: the only hugetlbfs page size ktstr uses (1 GiB pages would make the per-node split too coarse). */
    long HUGEPAGE_BYTES = 2L << 20;

    /** Directory holding the RAM file, empty for anonymous RAM. */
    Optional<Path> fileDir();

    /** What a report calls this backing: {@code anonymous}, {@code file} or {@code hugetlbfs}. */
    String kind();

    /** QEMU-private anonymous memory: nothing outside QEMU can read it. */
    record Anonymous() implements RamBacking {
        @Override
        public Optional<Path> fileDir() {
            return Optional.empty();
        }

        @Override
        public String kind() {
            return "anonymous";
        }
    }

    /** A shared ({@code share=on}) file in {@code dir}, normally tmpfs such as /dev/shm: small pages, faulted on use. */
    record SharedFile(Path dir) implements RamBacking {
        public SharedFile {
            Objects.requireNonNull(dir, "dir");
        }

        @Override
        public Optional<Path> fileDir() {
            return Optional.of(dir);
        }

        @Override
        public String kind() {
            return "file";
        }
    }

    /**
     * A shared file in {@code dir} on a 2 MiB-page hugetlbfs mount, preallocated when QEMU starts.
     * {@link QemuVm#start} first reserves the pages itself (a shared hugetlbfs mapping reserves
     * the whole file atomically, and the reservation stays with the file); if the host no longer
     * has them it boots on {@code fallback} instead and says why ({@link QemuVm#ramFallbackReason}).
     */
    record Hugetlbfs(Path dir, RamBacking fallback) implements RamBacking {
        public Hugetlbfs {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(fallback, "fallback");
            if (fallback instanceof Hugetlbfs) throw new IllegalArgumentException("a hugetlbfs backing cannot fall back to hugetlbfs");
        }

        @Override
        public Optional<Path> fileDir() {
            return Optional.of(dir);
        }

        @Override
        public String kind() {
            return "hugetlbfs";
        }

        /** {@code memoryMb} rounded up so each of {@code nodes} NUMA nodes gets whole 2 MiB pages. */
        public static int alignMb(int memoryMb, int nodes) {
            int step = 2 * nodes;
            return (memoryMb + step - 1) / step * step;
        }
    }
}
