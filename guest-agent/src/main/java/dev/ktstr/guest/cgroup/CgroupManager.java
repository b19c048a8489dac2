package dev.ktstr.guest.cgroup;

import dev.ktstr.guest.sys.CpuMask;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Manages the cgroups of one test below {@code root/parent} (spec §2.9).
 *
 * <p>Every cgroupfs access runs on a helper thread bounded by the write deadline: a write to
 * cgroup.procs or cpuset.cpus can block inside the kernel (e.g. while a sched_ext scheduler's
 * cgroup_prep_move is wedged), and the agent must never hang the VM on one. A thread stuck past
 * its deadline is abandoned (daemon) and the operation fails with the file named.
 *
 * <p>Moves are retried on EBUSY three times, 100 ms apart (sched_ext may transiently refuse a
 * move); ESRCH on a move means the task already exited and is tolerated with a warning.
 * Tasks are drained to the cgroupfs root, not the parent: the parent has controllers enabled and
 * so, by the no-internal-process rule, cannot hold tasks.
 */
public final class CgroupManager implements AutoCloseable {
    public static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");
    public static final List<String> DEFAULT_CONTROLLERS = List.of("cpuset", "cpu");
    static final int BUSY_RETRIES = 3;
    static final long BUSY_BACKOFF_MS = 100;

    private final CgroupFs fs;
    private final Path root;
    private final Path parent;
    private final List<String> controllers;
    private final Duration writeDeadline;
    private final Consumer<String> warn;
    private final ExecutorService io;
    /** Created cgroups in creation order; removed in reverse on close. */
    private final Set<String> created = new LinkedHashSet<>();

    public CgroupManager(CgroupFs fs, Path root, String parent, List<String> controllers, Duration writeDeadline,
                         Consumer<String> warn) {
        this.fs = fs;
        this.root = root;
        this.parent = root.resolve(checkName(parent));
        this.controllers = List.copyOf(controllers);
        this.writeDeadline = writeDeadline;
        this.warn = warn;
        this.io = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cgroupfs-io");
            t.setDaemon(true);
            return t;
        });
    }

    /** Production manager at /sys/fs/cgroup/ktstr with cpuset+cpu and a 2 s write deadline. */
    public static CgroupManager standard(Consumer<String> warn) {
        return new CgroupManager(CgroupFs.REAL, DEFAULT_ROOT, "ktstr", DEFAULT_CONTROLLERS, Duration.ofSeconds(2), warn);
    }

    public Path root() {
        return root;
    }

    public Path parentPath() {
        return parent;
    }

    public Path pathOf(String name) {
        return parent.resolve(checkName(name));
    }

    /**
     * Creates the parent and enables the controllers in cgroup.subtree_control of every ancestor
     * from the root down to the parent itself, so the test's cgroups get them.
     */
    public void setup() {
        Path rel = root.relativize(parent);
        Path cur = root;
        enableControllers(cur);
        for (Path seg : rel) {
            cur = cur.resolve(seg);
            mkdirIfMissing(cur);
            enableControllers(cur);
        }
    }

    /** Creates {@code name} (nested "a/b" allowed) below the parent; intermediates get the controllers. Idempotent. */
    public Path create(String name) {
        Path rel = Path.of(checkName(name));
        Path cur = parent;
        int n = rel.getNameCount();
        for (int i = 0; i < n; i++) {
            cur = cur.resolve(rel.getName(i));
            boolean existed = fs.exists(cur);
            mkdirIfMissing(cur);
            if (!existed) {
                synchronized (created) {
                    created.add(rel.subpath(0, i + 1).toString());
                }
            }
            if (i < n - 1) enableControllers(cur);
        }
        return cur;
    }

    /** Removes {@code name} and its children depth-first, draining their tasks to the root first. Missing is fine. */
    public void remove(String name) {
        Path p = pathOf(name);
        removeTree(p);
        synchronized (created) {
            created.removeIf(c -> c.equals(name) || c.startsWith(name + "/"));
        }
    }

    public boolean exists(String name) {
        return fs.exists(pathOf(name));
    }

    public void setCpuset(String name, BitSet cpus) {
        if (cpus.isEmpty()) throw new CgroupException("cgroup '" + name + "': refusing an empty cpuset; use clearCpuset to inherit the parent's CPUs");
        write(pathOf(name).resolve("cpuset.cpus"), CpuMask.render(cpus));
    }

    public void setCpusetMems(String name, BitSet nodes) {
        write(pathOf(name).resolve("cpuset.mems"), CpuMask.render(nodes));
    }

    /** An empty cpuset.cpus means "inherit the parent's effective CPUs". */
    public void clearCpuset(String name) {
        write(pathOf(name).resolve("cpuset.cpus"), "\n");
    }

    /** Writes any control file of a managed cgroup (cpu.weight, cpu.max, memory.max, ...). */
    public void writeControl(String name, String file, String value) {
        if (file.contains("/") || file.isBlank()) throw new CgroupException("bad cgroup control file name '" + file + "'");
        write(pathOf(name).resolve(file), value);
    }

    public String readControl(String name, String file) {
        return read(pathOf(name).resolve(file));
    }

    /**
     * Moves one process into {@code name}. Returns false (with a warning) when the process is
     * already gone (ESRCH); EBUSY is retried; anything else throws.
     */
    public boolean moveTask(String name, int pid) {
        return moveTo(pathOf(name).resolve("cgroup.procs"), pid, name);
    }

    /** Moves several processes; returns how many moved (gone ones are skipped with a warning). */
    public int moveTasks(String name, List<Integer> pids) {
        int moved = 0;
        for (int pid : pids) if (moveTask(name, pid)) moved++;
        return moved;
    }

    /** Moves every task of {@code name} to the cgroupfs root. */
    public void drainTasks(String name) {
        drain(pathOf(name));
    }

    public List<Integer> tasks(String name) {
        return readPids(pathOf(name).resolve("cgroup.procs"));
    }

    /** Removes every cgroup below the parent (depth-first) and the parent itself. */
    public void cleanupAll() {
        if (!fs.exists(parent)) return;
        removeTree(parent);
        synchronized (created) {
            created.clear();
        }
    }

    /** Removes what this manager created (intermediate levels included), in reverse order (the RAII guard of the original). */
    @Override
    public void close() {
        List<String> names;
        synchronized (created) {
            names = new ArrayList<>(created);
        }
        for (int i = names.size() - 1; i >= 0; i--) {
            try {
                remove(names.get(i));
            } catch (RuntimeException e) {
                warn.accept("cgroup cleanup of '" + names.get(i) + "' failed: " + e.getMessage()
                        + " (a task may still be inside: check " + pathOf(names.get(i)).resolve("cgroup.procs") + ")");
            }
        }
        io.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------

    private void removeTree(Path top) {
        // Depth-first: collect the subtree, then remove deepest first.
        Deque<Path> order = new ArrayDeque<>();
        Deque<Path> stack = new ArrayDeque<>();
        if (!fs.exists(top)) return;
        stack.push(top);
        while (!stack.isEmpty()) {
            Path p = stack.pop();
            order.push(p);
            for (Path c : timed(() -> fs.childDirs(p), p, "list")) stack.push(c);
        }
        while (!order.isEmpty()) {
            Path p = order.pop();
            drain(p);
            rmdirWithRetry(p);
        }
    }

    private void drain(Path cg) {
        if (!fs.exists(cg)) return;
        Path target = root.resolve("cgroup.procs");
        for (int pid : readPids(cg.resolve("cgroup.procs"))) moveTo(target, pid, "/");
    }

    private void rmdirWithRetry(Path p) {
        for (int attempt = 0; ; attempt++) {
            try {
                timed(() -> {
                    fs.rmdir(p);
                    return null;
                }, p, "rmdir");
                return;
            } catch (CgroupException e) {
                if (!fs.exists(p)) return;
                if (isBusy(e) && attempt < BUSY_RETRIES) {
                    sleep(BUSY_BACKOFF_MS);
                    drain(p);
                    continue;
                }
                throw e;
            }
        }
    }

    private boolean moveTo(Path procs, int pid, String label) {
        for (int attempt = 0; ; attempt++) {
            try {
                write(procs, Integer.toString(pid));
                return true;
            } catch (CgroupException e) {
                if (isNoSuchProcess(e)) {
                    warn.accept("task " + pid + " exited before it could be moved to cgroup '" + label + "' (ESRCH), skipped");
                    return false;
                }
                if (isBusy(e) && attempt < BUSY_RETRIES) {
                    sleep(BUSY_BACKOFF_MS);
                    continue;
                }
                throw e;
            }
        }
    }

    private List<Integer> readPids(Path procs) {
        if (!fs.exists(procs)) return List.of();
        String text = read(procs);
        List<Integer> pids = new ArrayList<>();
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (!t.isEmpty()) pids.add(Integer.parseInt(t));
        }
        return pids;
    }

    private void enableControllers(Path cg) {
        String available = read(cg.resolve("cgroup.controllers"));
        Set<String> have = Set.of(available.trim().split("\\s+"));
        String enabled = read(cg.resolve("cgroup.subtree_control"));
        Set<String> on = Set.of(enabled.trim().split("\\s+"));
        StringBuilder want = new StringBuilder();
        for (String c : controllers) {
            if (!have.contains(c)) {
                throw new CgroupException("controller '" + c + "' is not available in " + cg + " (cgroup.controllers: '"
                        + available.trim() + "'); enable it in the parent's cgroup.subtree_control or the kernel config");
            }
            if (!on.contains(c)) want.append(want.length() == 0 ? "" : " ").append('+').append(c);
        }
        if (want.length() > 0) write(cg.resolve("cgroup.subtree_control"), want.toString());
    }

    private void mkdirIfMissing(Path p) {
        if (fs.exists(p)) return;
        try {
            timed(() -> {
                fs.mkdir(p);
                return null;
            }, p, "mkdir");
        } catch (CgroupException e) {
            if (!fs.exists(p)) throw e;
        }
    }

    private void write(Path file, String value) {
        timed(() -> {
            fs.write(file, value);
            return null;
        }, file, "write '" + value.strip() + "' to");
    }

    private String read(Path file) {
        return timed(() -> fs.read(file), file, "read");
    }

    private <T> T timed(Callable<T> op, Path file, String what) {
        Future<T> f = io.submit(op);
        try {
            return f.get(writeDeadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new CgroupException("cgroupfs " + what + " " + file + " did not finish within " + writeDeadline.toMillis()
                    + " ms (the kernel blocked the write; a wedged scheduler's cgroup callback is the usual cause)");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new CgroupException("cgroupfs " + what + " " + file + " failed: " + c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted during cgroupfs " + what + " " + file, e);
        }
    }

    static boolean isBusy(Throwable e) {
        return messageChain(e).contains("busy");
    }

    static boolean isNoSuchProcess(Throwable e) {
        return messageChain(e).contains("no such process");
    }

    private static String messageChain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) b.append(t.getMessage().toLowerCase()).append('|');
            if (t instanceof IOException) b.append(t.getClass().getSimpleName().toLowerCase()).append('|');
        }
        return b.toString();
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank() || name.startsWith("/") || name.endsWith("/")) {
            throw new CgroupException("bad cgroup name '" + name + "': use a relative name like 'cg_0' or 'a/b'");
        }
        for (String seg : name.split("/")) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..") || seg.contains("\n")) {
                throw new CgroupException("bad cgroup name '" + name + "': empty, '.' or '..' segments are not allowed");
            }
        }
        return name;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while retrying a busy cgroup operation", e);
        }
    }
}
