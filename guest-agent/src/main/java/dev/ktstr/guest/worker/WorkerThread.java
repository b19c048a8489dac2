package dev.ktstr.guest.worker;

import com.sun.jna.Memory;
import dev.ktstr.guest.agent.AgentClock;
import dev.ktstr.guest.sys.CpuMask;
import dev.ktstr.guest.sys.LibC;
import dev.ktstr.scenario.report.ExitInfo;
import dev.ktstr.scenario.report.JvmNoise;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.runtime.WorkerSpec;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/**
 * One worker as a thread of a worker host. Two-phase start: build and prepare the loop, name the
 * thread, say READY, wait for release (the host is in its cgroup by then), apply affinity / policy /
 * nice / mempolicy to this thread, run until stopped, print the report as one JSON line.
 */
final class WorkerThread {
    /** Linux comm is 15 bytes; the name says harness, cgroup and worker index. */
    static final int COMM_MAX = 15;

    private final int index;
    private final WorkerLaunch launch;
    private final int pid;
    private final MappedByteBuffer counters;
    private final WorkerHostMain.HostOutput out;
    private final CountDownLatch released = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean wasReleased;
    private volatile LoopProbe probe;
    private volatile WorkLoop loop;

    WorkerThread(int index, WorkerLaunch launch, int pid, MappedByteBuffer counters, WorkerHostMain.HostOutput out) {
        this.index = index;
        this.launch = launch;
        this.pid = pid;
        this.counters = counters;
        this.out = out;
        this.thread = new Thread(this::body, comm(launch.spec()));
    }

    void start() {
        thread.start();
    }

    void release() {
        wasReleased = true;
        released.countDown();
    }

    /** Idempotent; also ends a worker that was never released. */
    void stop() {
        stopped = true;
        LoopProbe p = probe;
        WorkLoop l = loop;
        if (p != null) p.requestStop();
        if (l != null) l.wakeForStop();
        released.countDown();
    }

    void joinQuietly() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The thread name, also the worker's comm: {@code kw-<cgroup leaf>-<index>}, cut to 15 bytes. */
    static String comm(WorkerSpec spec) {
        String cg = spec.cgroup().isEmpty() ? "root" : spec.cgroup().substring(spec.cgroup().lastIndexOf('/') + 1);
        String idx = "-" + spec.workerIndex();
        String head = "kw-" + cg;
        if (head.length() + idx.length() > COMM_MAX) head = head.substring(0, COMM_MAX - idx.length());
        return head + idx;
    }

    private void body() {
        WorkerSpec spec = launch.spec();
        WorkType type = spec.workType();
        int tid = LibC.gettid();
        WorkLoop l;
        LoopProbe p;
        try {
            l = Loops.create(type, new Loops.Group(Path.of(launch.ipcDir()), Path.of(launch.privateDir()), spec.workerIndex(),
                    type.groupSize(), tid));
            l.prepare();
            Map<String, String> customArgs = type instanceof WorkType.Custom c ? c.args() : Map.of();
            p = new LoopProbe(true, launch.watchdogPid(), launch.watchdogGapMs(), customArgs,
                    (gapNs, cpu) -> out.line(HostProtocol.WATCHDOG + index + " " + tid + " " + gapNs / 1_000_000 + " " + cpu + " "
                            + launch.watchdogGapMs() + " " + AgentClock.uptimeMs()));
        } catch (Throwable t) {
            out.line(HostProtocol.FAILED + index + " preparing " + type.name() + ": " + oneLine(t));
            return;
        }
        loop = l;
        probe = p;
        readSchedstat();
        out.line(HostProtocol.READY + index + " " + tid + " " + ManagementFactory.getRuntimeMXBean().getUptime());
        try {
            released.await();
        } catch (InterruptedException e) {
            stopped = true;
        }
        if (!wasReleased) {
            closeQuietly(l);
            out.line(HostProtocol.FAILED + index + " stopped before release");
            return;
        }
        String setupError;
        try {
            setupError = applySetup(spec);
        } catch (RuntimeException e) {
            setupError = oneLine(e);
        }
        if (setupError != null) {
            closeQuietly(l);
            emit(WorkerReport.sentinel(pid, tid, spec.cgroup(), spec.workerIndex(), type.name(), ExitInfo.setupFailed(setupError)));
            return;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] sched0 = readSchedstat();
        long numaMig0 = readVmstat("numa_pages_migrated");
        long[] gc0 = gcTotals();
        long jit0 = jitMs();
        try {
            l.beforeLoop();
            long cpu0 = threads.getCurrentThreadCpuTime();
            p.start();
            drive(l, p, counters, launch.counterSlot());
            p.end();
            long cpuNs = threads.getCurrentThreadCpuTime() - cpu0;
            long[] sched1 = readSchedstat();
            long[] gc1 = gcTotals();
            long jit1 = jitMs();
            long wall = p.wallNs();
            emit(new WorkerReport(pid, tid, spec.cgroup(), spec.workerIndex(), type.name(), p.workUnits(),
                    p.iterations(), cpuNs, wall, Math.max(0, wall - cpuNs), p.maxGapNs() / 1_000_000L, p.maxGapCpu(),
                    p.maxGapAtMs(), p.migrationCount(), p.cpusUsed(), p.migrations(),
                    WorkerReport.encodeHistogram(p.wakeHistogram()), p.wakeHistogram().getTotalCount(),
                    sched1[1] - sched0[1], sched1[2] - sched0[2], sched1[0] - sched0[0], readNumaPages(),
                    Math.max(0, readVmstat("numa_pages_migrated") - numaMig0),
                    new JvmNoise(gc1[0] - gc0[0], gc1[1] - gc0[1], jit1 - jit0), true, null, l.messenger()));
        } catch (Throwable t) {
            emit(WorkerReport.sentinel(pid, tid, spec.cgroup(), spec.workerIndex(), type.name(),
                    new ExitInfo(ExitInfo.Kind.EXITED, 1, "worker loop failed: " + oneLine(t))));
        } finally {
            closeQuietly(l);
        }
    }

    /**
     * The measured loop: nothing here allocates (HotLoopAllocationTest drives this method).
     * {@code counters} may be null; {@code slot} < 0 means no live counter.
     */
    static void drive(WorkLoop loop, LoopProbe probe, MappedByteBuffer counters, int slot) throws Exception {
        if (loop.ownsLoop()) {
            loop.iterate(probe);
        } else if (counters != null && slot >= 0) {
            int off = slot * 8;
            while (!probe.stopRequested()) {
                loop.iterate(probe);
                probe.iterationDone();
                counters.putLong(off, probe.iterations);
            }
        } else {
            while (!probe.stopRequested()) {
                loop.iterate(probe);
                probe.iterationDone();
            }
        }
    }

    private void emit(WorkerReport r) {
        out.line(HostProtocol.REPORT + index + " " + HostCodec.encodeLine(r));
    }

    private static void closeQuietly(WorkLoop l) {
        try {
            l.close();
        } catch (Exception ignored) {
            // best effort: temp files live in the agent's per-run directory, removed with it
        }
    }

    /**
     * Everything slow on first use (MXBeans, /proc parsing, the report's JSON and histogram path,
     * thread creation) runs once per host before it says it is warm: after release only syscalls
     * and the loop run, so the measured loop starts right away even in a slow TCG guest, and the
     * report is written in milliseconds after a stop.
     */
    static String warmUp() {
        StringBuilder t = new StringBuilder();
        long t0 = System.nanoTime();
        ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        gcTotals();
        jitMs();
        t.append("mx=").append(lap(t0));
        t0 = System.nanoTime();
        readSchedstat();
        readVmstat("numa_pages_migrated");
        readNumaPages();
        t.append(",proc=").append(lap(t0));
        t0 = System.nanoTime();
        org.HdrHistogram.Histogram h = WorkerReport.newLatencyHistogram();
        h.recordValue(1_000);
        WorkerReport r = new WorkerReport(1, 1, "warm", 0, "CpuSpin", 1, 1, 1, 1, 0, 0, 0, 0, 1,
                new TreeSet<>(List.of(0, 1)), List.of(new dev.ktstr.scenario.report.Migration(1, 0, 1)),
                WorkerReport.encodeHistogram(h), 1, 0, 0, 0, Map.of(0, 1L), 0, new JvmNoise(0, 0, 0), true, null, false);
        t.append(",hist=").append(lap(t0));
        t0 = System.nanoTime();
        HostCodec.encodeLine(r);
        t.append(",report=").append(lap(t0));
        t0 = System.nanoTime();
        HostCodec.decode(HostCodec.encode(sampleLaunch()), HostLaunch.class);
        t.append(",launch=").append(lap(t0));
        t0 = System.nanoTime();
        new Memory(8).clear();
        LibC.sched_getcpu();
        t.append(",jna=").append(lap(t0));
        return t.toString();
    }

    /** A launch like the agent's, for warming the decode path of the real one. */
    static HostLaunch sampleLaunch() {
        WorkerSpec spec = new WorkerSpec("warm", 0, 1, WorkType.cpuSpin(), SchedPolicy.NORMAL, new TreeSet<>(List.of(0)), MemPolicy.DEFAULT, 0, 0);
        return new HostLaunch(List.of(new WorkerLaunch(spec, "/tmp", "/tmp", 0, 0, WorkerLaunch.DEFAULT_WATCHDOG_GAP_MS)), "/tmp/c");
    }

    private static long lap(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Applies the spec to the calling (loop) thread; returns an error text or null. */
    static String applySetup(WorkerSpec spec) {
        StringBuilder err = new StringBuilder();
        if (!spec.affinity().isEmpty()) {
            long[] mask = CpuMask.toWords(CpuMask.of(spec.affinity()));
            if (LibC.sched_setaffinity(0, CpuMask.BYTES, mask) != 0) {
                err.append("sched_setaffinity(").append(CpuMask.render(CpuMask.of(spec.affinity()))).append(") failed: errno ")
                        .append(LibC.errno()).append("; ");
            }
        }
        SchedPolicy pol = spec.schedPolicy();
        if (pol.kind() != SchedPolicy.Kind.NORMAL) {
            if (LibC.sched_setscheduler(0, pol.kind().linuxPolicy, new int[] {pol.priority()}) != 0) {
                err.append("sched_setscheduler(").append(pol.kind()).append(", ").append(pol.priority()).append(") failed: errno ")
                        .append(LibC.errno()).append(" (real-time policies need CAP_SYS_NICE); ");
            }
        }
        // On Linux PRIO_PROCESS with who=0 is the calling thread, not the whole process. Always set:
        // the thread must end up at exactly its spec's value whatever its host started with.
        if (LibC.setpriority(LibC.PRIO_PROCESS, 0, spec.nice()) != 0) {
            err.append("setpriority(nice ").append(spec.nice()).append(") failed: errno ").append(LibC.errno()).append("; ");
        }
        MemPolicy mp = spec.memPolicy();
        if (mp.kind() != MemPolicy.Kind.DEFAULT) {
            BitSet nodes = CpuMask.of(mp.nodes());
            long[] words = CpuMask.toWords(nodes);
            Memory m = new Memory(words.length * 8L);
            m.write(0, words, 0, words.length);
            long maxnode = words.length * 64L + 1;
            long rc = LibC.syscall(LibC.SYS_SET_MEMPOLICY, mp.kind().linuxMode | spec.mpolFlags(),
                    mp.kind() == MemPolicy.Kind.LOCAL ? 0 : com.sun.jna.Pointer.nativeValue(m),
                    mp.kind() == MemPolicy.Kind.LOCAL ? 0 : maxnode, 0, 0);
            if (rc != 0) {
                err.append("set_mempolicy(").append(mp.kind()).append(' ').append(mp.nodes()).append(") failed: errno ")
                        .append(LibC.errno()).append("; ");
            }
        }
        return err.length() == 0 ? null : err.substring(0, err.length() - 2);
    }

    /** /proc/thread-self/schedstat: cpu time ns, run delay ns, pcount (of the calling thread). */
    static long[] readSchedstat() {
        try {
            String[] f = Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split("\\s+");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
        } catch (IOException | RuntimeException e) {
            return new long[3];
        }
    }

    static long readVmstat(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/vmstat"))) {
                if (line.startsWith(key + " ")) return Long.parseLong(line.substring(key.length() + 1).trim());
            }
        } catch (IOException | RuntimeException ignored) {
            // no NUMA accounting in this kernel
        }
        return 0;
    }

    /** Pages per NUMA node of the worker's address space (the host's: threads share it). */
    static Map<Integer, Long> readNumaPages() {
        Map<Integer, Long> pages = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/numa_maps"))) {
                for (String tok : line.split(" ")) {
                    if (tok.length() > 2 && tok.charAt(0) == 'N' && Character.isDigit(tok.charAt(1))) {
                        int eq = tok.indexOf('=');
                        if (eq > 1) pages.merge(Integer.parseInt(tok.substring(1, eq)), Long.parseLong(tok.substring(eq + 1)), Long::sum);
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // numa_maps absent without CONFIG_NUMA
        }
        return pages;
    }

    static long[] gcTotals() {
        long count = 0;
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            ms += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, ms};
    }

    static long jitMs() {
        CompilationMXBean c = ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : 0;
    }

    static String oneLine(Throwable t) {
        String m = t.getClass().getSimpleName() + ": " + t.getMessage();
        return m.replace('\n', ' ').replace('\r', ' ');
    }
}
