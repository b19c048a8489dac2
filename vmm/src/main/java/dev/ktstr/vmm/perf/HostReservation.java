package dev.ktstr.vmm.perf;

import dev.ktstr.host.LeftoverReaper;
import dev.ktstr.host.OwnedTempFiles;
import dev.ktstr.vmm.qemu.RamBacking;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Host LLCs and CPUs held for one performance-mode VM through exclusive locks on
 * {@code /tmp/ktstr-llc-{N}.lock} and {@code /tmp/ktstr-cpu-{C}.lock}, so concurrent VMs (in this
 * JVM or other ktstr-java processes) never share a reserved CPU. Java's FileChannel locks are
 * POSIX record locks (fcntl), which Linux keeps apart from flock(2): they do not exclude the Rust
 * ktstr's flock holders. Locks die with the process, so a crash never leaks a reservation.
 */
public final class HostReservation implements AutoCloseable {
    public static final Path DEFAULT_DIR = Path.of("/tmp");
    private static final Set<String> REMOTE_FS = Set.of("nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "afs", "fuse", "fuseblk");

    /** Per-VM RAM directories on hugetlbfs, named by {@link OwnedTempFiles} so a dead JVM's can be found. */
    static final String RAM_DIR_PREFIX = "ktstr-ram-";

    private final PerfPlan plan;
    private final List<FileLock> locks;
    private Path hugeRamDir;

    private HostReservation(PerfPlan plan, List<FileLock> locks) {
        this.plan = plan;
        this.locks = locks;
    }

    public PerfPlan plan() {
        return plan;
    }

    /**
     * Plans the VM on LLCs and CPUs nobody holds and locks them. A lock lost to a racing peer is
     * marked busy and the plan recomputed; when nothing fits, waits up to {@code wait} (polling)
     * and then throws {@link ResourceContentionException}.
     */
    public static HostReservation acquire(HostTopology host, dev.ktstr.protocol.topology.Topology vm, int memoryMb, HostMemory mem,
                                          Path lockDir, Duration wait) throws ResourceContentionException, IOException {
        checkLocalFs(lockDir);
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Set<Integer> busyLlcs = new TreeSet<>();
            Set<Integer> busyCpus = new TreeSet<>();
            ResourceContentionException last;
            for (int attempt = 0; ; attempt++) {
                PerfPlan plan;
                try {
                    plan = PerfPlan.compute(host, vm, memoryMb, mem, busyLlcs, busyCpus);
                } catch (ResourceContentionException e) {
                    last = e;
                    break;
                }
                List<FileLock> held = new ArrayList<>();
                boolean ok = true;
                for (int llc : plan.hostLlcs()) {
                    FileLock l = tryLock(lockDir.resolve("ktstr-llc-" + llc + ".lock"));
                    if (l == null) {
                        busyLlcs.add(llc);
                        ok = false;
                        break;
                    }
                    held.add(l);
                }
                if (ok) {
                    for (int cpu : plan.hostCpus()) {
                        FileLock l = tryLock(lockDir.resolve("ktstr-cpu-" + cpu + ".lock"));
                        if (l == null) {
                            busyCpus.add(cpu);
                            ok = false;
                            break;
                        }
                        held.add(l);
                    }
                }
                if (ok) return new HostReservation(plan, held);
                release(held);
                if (attempt > host.cpus().size() * 2) throw new IllegalStateException("lock planning did not converge");
            }
            if (System.nanoTime() >= deadline) throw last;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw last;
            }
        }
    }

    /**
     * Lock files this JVM holds. POSIX locks belong to the process, and closing *any* descriptor
     * of a file drops all of them (see {@link FileLock}), so a file held here must never be opened
     * a second time: peers inside this JVM are excluded by this set, other processes by the lock.
     */
    private static final Set<Path> HELD_HERE = new java.util.HashSet<>();
    private static final java.util.Map<FileLock, Path> PATHS = new java.util.IdentityHashMap<>();

    /** Null if another process, or another VM of this JVM, holds the lock. */
    static FileLock tryLock(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        synchronized (HELD_HERE) {
            if (HELD_HERE.contains(key)) return null;
            FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock l = ch.tryLock();
                if (l == null) {
                    ch.close(); // we held no lock on this file, so closing drops nothing of ours
                    return null;
                }
                HELD_HERE.add(key);
                PATHS.put(l, key);
                return l;
            } catch (OverlappingFileLockException e) {
                throw new IllegalStateException("lock " + key + " is held in this JVM outside HostReservation", e);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }

    private static void release(List<FileLock> locks) {
        synchronized (HELD_HERE) {
            for (FileLock l : locks) {
                try {
                    l.release();
                    l.channel().close();
                } catch (IOException ignored) {
                    // closing the channel drops the lock whatever happens
                }
                HELD_HERE.remove(lockPath(l));
            }
        }
    }

    private static Path lockPath(FileLock l) {
        return PATHS.remove(l);
    }

    /**
     * The RAM backing for this VM: when the plan chose hugepages, a hugetlbfs file in a directory of
     * its own on the planned mount, falling back to {@code normal} if the pages are gone by the time
     * QEMU starts; otherwise {@code normal}. Boot with {@link PerfPlan#memoryMb} and bind with
     * {@link PerfPlan#guestNodeHostNodes}. The directory is removed by {@link #close}, after the VM.
     */
    public synchronized RamBacking ramBacking(RamBacking normal) throws IOException {
        if (!(plan.hugepages() instanceof HugepageDecision.Use use)) return normal;
        if (hugeRamDir == null) {
            sweepDeadRamDirs(use.mount());
            hugeRamDir = OwnedTempFiles.createDirectory(use.mount(), RAM_DIR_PREFIX);
        }
        return new RamBacking.Hugetlbfs(hugeRamDir, normal);
    }

    /**
     * Hugetlbfs files hold their pages until deleted, even with no process mapping them: remove the
     * RAM directories of ktstr JVMs that died (killed between reserving pages and QEMU's start;
     * once QEMU runs, its watchdog removes the file).
     */
    static LeftoverReaper.Result sweepDeadRamDirs(Path mount) {
        // the old <pid>-<random> names are left to the reaper's age rule: a bare pid may have been reused
        return LeftoverReaper.reap(mount, RAM_DIR_PREFIX);
    }

    private static void deleteTree(Path dir) {
        try (var w = Files.walk(dir)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: sweepDeadRamDirs retries on the next performance-mode VM
        }
    }

    static void checkLocalFs(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileStore fs = Files.getFileStore(dir);
        String type = fs.type().toLowerCase(Locale.ROOT);
        if (REMOTE_FS.contains(type) || type.startsWith("fuse.")) {
            throw new IOException("lock directory " + dir + " is on " + type + ", where file locks are not reliable: "
                    + "host reservations need a local filesystem such as /tmp");
        }
    }

    @Override
    public synchronized void close() {
        if (hugeRamDir != null) {
            deleteTree(hugeRamDir); // QemuVm removed its files already; this frees anything left
            hugeRamDir = null;
        }
        release(locks);
        locks.clear();
    }
}
