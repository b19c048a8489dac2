package dev.ktstr.guest.worker;

import com.sun.jna.Memory;
import dev.ktstr.guest.sys.CpuMask;
import dev.ktstr.guest.sys.LibC;
import dev.ktstr.scenario.report.ExitInfo;
import dev.ktstr.scenario.report.JvmNoise;
import dev.ktstr.scenario.report.ReportJson;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.runtime.WorkerSpec;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * A worker process (one JVM). Two-phase start: prepare the loop, print READY, wait for the
 * agent to place the pid in its cgroup and release it, then apply affinity / policy / nice /
 * mempolicy to the loop thread and run until stopped; print the report as one JSON line.
 */
public final class WorkerMain {
    private WorkerMain() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.in, System.out);
        } catch (Throwable t) {
            System.out.println(WorkerProtocol.FAILED + oneLine(t));
            System.out.flush();
            code = 3;
        }
        System.out.flush();
        System.exit(code);
    }

    static int run(String[] args, InputStream control, PrintStream out) throws Exception {
        if (args.length != 1) {
            out.println(WorkerProtocol.FAILED + "usage: WorkerMain <launch.json>");
            return 2;
        }
        WorkerLaunch launch = ReportJson.mapper().readValue(Path.of(args[0]).toFile(), WorkerLaunch.class);
        WorkerSpec spec = launch.spec();
        LibC.require();
        int pid = LibC.getpid();
        WorkType type = spec.workType();
        Loops.Group group = new Loops.Group(Path.of(launch.ipcDir()), Path.of(launch.privateDir()), spec.workerIndex(),
                type.groupSize(), pid);
        WorkLoop loop;
        try {
            loop = Loops.create(type, group);
            loop.prepare();
        } catch (Throwable t) {
            out.println(WorkerProtocol.FAILED + "preparing " + type.name() + ": " + oneLine(t));
            return 3;
        }
        MappedByteBuffer counters = null;
        if (launch.counterFile() != null && launch.counterSlot() >= 0) {
            try (RandomAccessFile f = new RandomAccessFile(launch.counterFile(), "rw")) {
                counters = f.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, f.length());
            }
        }
        Map<String, String> customArgs = type instanceof WorkType.Custom c ? c.args() : Map.of();
        LoopProbe probe = new LoopProbe(true, launch.watchdogPid(), launch.watchdogGapMs(), customArgs);

        // Everything slow (MXBean initialisation, class loading for /proc parsing, thread creation)
        // happens before READY: after release only syscalls and the loop run, so the measured
        // loop starts right away even in a slow TCG guest.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        threads.getCurrentThreadCpuTime();
        gcTotals();
        jitMs();
        readSchedstat();
        readVmstat("numa_pages_migrated");
        readNumaPages();
        warmReportPath(pid, spec, type);
        Thread watcher = new Thread(() -> {
            try {
                int b;
                do {
                    b = control.read();
                } while (b >= 0 && b != WorkerProtocol.STOP);
            } catch (IOException ignored) {
                // a broken control pipe means the agent is gone: stop as well
            }
            probe.requestStop();
            loop.wakeForStop();
        }, "stop-watcher");
        watcher.setDaemon(true);

        int tid = LibC.gettid();
        out.println(WorkerProtocol.READY + pid + " " + tid + " " + ManagementFactory.getRuntimeMXBean().getUptime());
        out.flush();
        int cmd = control.read();
        if (cmd != WorkerProtocol.RELEASE) {
            loop.close();
            out.println(WorkerProtocol.FAILED + "stopped before release");
            return 0;
        }

        String setupError;
        try {
            setupError = applySetup(spec);
        } catch (RuntimeException e) {
            setupError = oneLine(e);
        }
        if (setupError != null) {
            loop.close();
            emit(out, WorkerReport.sentinel(pid, spec.cgroup(), spec.workerIndex(), type.name(), ExitInfo.setupFailed(setupError)));
            return 0;
        }
        watcher.start();

        long[] sched0 = readSchedstat();
        long numaMig0 = readVmstat("numa_pages_migrated");
        long[] gc0 = gcTotals();
        long jit0 = jitMs();
        ExitInfo failure = null;
        try {
            loop.beforeLoop();
            long cpu0 = threads.getCurrentThreadCpuTime();
            probe.start();
            if (loop.ownsLoop()) {
                loop.iterate(probe);
            } else if (counters != null) {
                int off = launch.counterSlot() * 8;
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
            probe.end();
            long cpuNs = threads.getCurrentThreadCpuTime() - cpu0;
            long[] sched1 = readSchedstat();
            long[] gc1 = gcTotals();
            long jit1 = jitMs();
            long wall = probe.wallNs();
            WorkerReport r = new WorkerReport(pid, tid, spec.cgroup(), spec.workerIndex(), type.name(), probe.workUnits(),
                    probe.iterations(), cpuNs, wall, Math.max(0, wall - cpuNs), probe.maxGapNs() / 1_000_000L, probe.maxGapCpu(),
                    probe.maxGapAtMs(), probe.migrationCount(), probe.cpusUsed(), probe.migrations(),
                    WorkerReport.encodeHistogram(probe.wakeHistogram()), probe.wakeHistogram().getTotalCount(),
                    sched1[1] - sched0[1], sched1[2] - sched0[2], sched1[0] - sched0[0], readNumaPages(),
                    Math.max(0, readVmstat("numa_pages_migrated") - numaMig0),
                    new JvmNoise(gc1[0] - gc0[0], gc1[1] - gc0[1], jit1 - jit0), true, null, loop.messenger());
            emit(out, r);
        } catch (Throwable t) {
            failure = new ExitInfo(ExitInfo.Kind.EXITED, 1, "worker loop failed: " + oneLine(t));
            emit(out, WorkerReport.sentinel(pid, spec.cgroup(), spec.workerIndex(), type.name(), failure));
        } finally {
            try {
                loop.close();
            } catch (Exception ignored) {
                // best effort: temp files live in the agent's per-run directory, removed with it
            }
        }
        return failure == null ? 0 : 1;
    }

    /**
     * Serialises a throwaway report (with a histogram) once, so the classes of the report path are
     * loaded before READY: under TCG their first use costs seconds, which would otherwise eat the
     * collection deadline after the stop request.
     */
    private static void warmReportPath(int pid, WorkerSpec spec, WorkType type) {
        org.HdrHistogram.Histogram h = WorkerReport.newLatencyHistogram();
        h.recordValue(1_000);
        WorkerReport r = new WorkerReport(pid, pid, spec.cgroup(), spec.workerIndex(), type.name(), 1, 1, 1, 1, 0, 0, 0, 0, 1,
                new java.util.TreeSet<>(java.util.List.of(0, 1)), java.util.List.of(new dev.ktstr.scenario.report.Migration(1, 0, 1)),
                WorkerReport.encodeHistogram(h), 1, 0, 0, 0, Map.of(0, 1L), 0, new JvmNoise(0, 0, 0), true, null, false);
        ReportJson.write(r);
    }

    private static void emit(PrintStream out, WorkerReport r) {
        out.println(WorkerProtocol.REPORT + ReportJson.write(r));
        out.flush();
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
        if (spec.nice() != 0 && LibC.setpriority(LibC.PRIO_PROCESS, 0, spec.nice()) != 0) {
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

    /** /proc/thread-self/schedstat: cpu time ns, run delay ns, pcount. */
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
        return m.replace('\n', ' ');
    }
}
