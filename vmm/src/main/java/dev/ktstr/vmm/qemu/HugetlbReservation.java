package dev.ktstr.vmm.qemu;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates guest RAM files on hugetlbfs with their pages already reserved, before QEMU starts.
 *
 * <p>Checking {@code HugePages_Free} and then starting QEMU races with every other user of the
 * pool (another VM of this worker, another process). A shared mapping of a hugetlbfs file instead
 * reserves pages for the whole file in one step, fails with ENOMEM when the pool cannot hold it,
 * and the reservation belongs to the file (its inode), not the mapping: it survives our munmap
 * and is what QEMU's own mapping of the same file then consumes. Unlinking the file returns it.
 */
final class HugetlbReservation {
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_CLOEXEC = 02000000;
    private static final int PROT_READ = 1;
    private static final int MAP_SHARED = 1;
    private static final int ENOMEM = 12;

    interface LibC extends Library {
        int open(String path, int flags, int mode) throws LastErrorException;

        int ftruncate(int fd, long length) throws LastErrorException;

        long mmap(long addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;

        int munmap(long addr, long length) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final class Holder {
        static final LibC C = com.sun.jna.Native.load("c", LibC.class);
    }

    /** The pool could not hold the files; none of them is left behind. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private HugetlbReservation() {}

    /**
     * Creates each file (which must not exist) at its size and reserves its hugepages. On any
     * failure the files created so far are deleted.
     */
    static void reserve(List<Path> files, List<Long> sizes) throws Unavailable, IOException {
        List<Path> made = new ArrayList<>();
        try {
            for (int i = 0; i < files.size(); i++) {
                reserveOne(files.get(i), sizes.get(i));
                made.add(files.get(i));
            }
        } catch (Unavailable | IOException | RuntimeException e) {
            for (Path p : made) Files.deleteIfExists(p);
            throw e;
        }
    }

    private static void reserveOne(Path file, long size) throws Unavailable, IOException {
        if (size % RamBacking.HUGEPAGE_BYTES != 0) throw new IllegalArgumentException(file + ": " + size + " bytes is not whole 2 MiB pages");
        int fd;
        try {
            fd = Holder.C.open(file.toString(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        } catch (LastErrorException e) {
            throw new IOException("cannot create hugetlbfs RAM file " + file + ": errno " + e.getErrorCode());
        }
        boolean ok = false;
        try {
            try {
                Holder.C.ftruncate(fd, size);
            } catch (LastErrorException e) {
                throw new IOException("cannot size hugetlbfs RAM file " + file + " to " + size + " bytes: errno " + e.getErrorCode()
                        + " (is " + file.getParent() + " on a 2 MiB-page hugetlbfs mount?)");
            }
            long addr;
            try {
                addr = Holder.C.mmap(0, size, PROT_READ, MAP_SHARED, fd, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENOMEM) {
                    throw new Unavailable("the hugepage pool cannot hold " + size / RamBacking.HUGEPAGE_BYTES + " more 2 MiB pages for "
                            + file.getFileName() + " (taken since planning, or limited by the mount's size=)");
                }
                throw new IOException("cannot reserve hugepages for " + file + ": errno " + e.getErrorCode());
            }
            Holder.C.munmap(addr, size); // the reservation stays with the file
            ok = true;
        } finally {
            try {
                Holder.C.close(fd);
            } catch (LastErrorException ignored) {
                // close of a regular hugetlbfs file cannot lose data
            }
            if (!ok) Files.deleteIfExists(file);
        }
    }
}
