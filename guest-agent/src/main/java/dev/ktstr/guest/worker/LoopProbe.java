package dev.ktstr.guest.worker;

import dev.ktstr.guest.sys.LibC;
import dev.ktstr.scenario.report.Migration;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.work.WorkerProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * The worker's measurement state (spec §3.2), preallocated so that every call made from the hot
 * loop ({@link #addWorkUnits}, {@link #iterationDone}, {@link #recordWakeLatencyNs},
 * {@link #resetGapClock}, {@link #stopRequested}) allocates nothing.
 *
 * <p>Checkpoints happen after an iteration that leaves work units at a multiple of 1024: the
 * wall-clock gap since the previous checkpoint is compared with the maximum, and sched_getcpu()
 * is sampled to count migrations. A gap above the watchdog threshold sends SIGUSR2 to the
 * scheduler once (the original's work-conservation watchdog), unless disabled.
 */
public final class LoopProbe implements WorkerProbe {
    public static final int MAX_MIGRATION_RECORDS = 10_000;
    private static final int CPU_WORDS = 64; // 4096 CPUs

    private volatile boolean stop;
    private final boolean cpuSampling;
    private final int watchdogPid;
    private final long watchdogGapNs;
    private final Map<String, String> args;
    private final WatchdogListener watchdogListener;

    /** Told once, from the loop thread, when the watchdog signalled the scheduler (may allocate: it happens once). */
    public interface WatchdogListener {
        void fired(long gapNs, int cpu);
    }

    long workUnits;
    long iterations;
    private long loopStartNs;
    private long loopEndNs;
    private long lastCheckpointNs;
    private long maxGapNs;
    private long maxGapAtNs;
    private int maxGapCpu = -1;
    private int lastCpu = -1;
    private long migrationCount;
    private boolean watchdogFired;
    private final long[] cpusUsed = new long[CPU_WORDS];
    private final long[] migAt = new long[MAX_MIGRATION_RECORDS];
    private final int[] migFrom = new int[MAX_MIGRATION_RECORDS];
    private final int[] migTo = new int[MAX_MIGRATION_RECORDS];
    private final Histogram wake = WorkerReport.newLatencyHistogram();

    /**
     * @param cpuSampling   call sched_getcpu at checkpoints (needs libc)
     * @param watchdogPid   scheduler pid to SIGUSR2 on a long gap, or 0 for none
     * @param watchdogGapMs gap threshold for the watchdog (2000 in the original)
     */
    public LoopProbe(boolean cpuSampling, int watchdogPid, long watchdogGapMs, Map<String, String> args) {
        this(cpuSampling, watchdogPid, watchdogGapMs, args, null);
    }

    public LoopProbe(boolean cpuSampling, int watchdogPid, long watchdogGapMs, Map<String, String> args, WatchdogListener listener) {
        this.watchdogListener = listener;
        this.cpuSampling = cpuSampling;
        this.watchdogPid = watchdogPid;
        this.watchdogGapNs = watchdogGapMs * 1_000_000L;
        this.args = args == null ? Map.of() : Map.copyOf(args);
    }

    /** Starts the clocks; call right before the first iteration. */
    public void start() {
        loopStartNs = System.nanoTime();
        lastCheckpointNs = loopStartNs;
        lastCpu = currentCpu();
        if (lastCpu >= 0) markCpu(lastCpu);
    }

    public void end() {
        loopEndNs = System.nanoTime();
    }

    public void requestStop() {
        stop = true;
    }

    @Override
    public boolean stopRequested() {
        return stop;
    }

    @Override
    public void addWorkUnits(long units) {
        workUnits += units;
    }

    @Override
    public void iterationDone() {
        iterations++;
        if ((workUnits & 1023) == 0) checkpoint();
    }

    @Override
    public void recordWakeLatencyNs(long nanos) {
        long v = nanos < 1 ? 1 : Math.min(nanos, WorkerReport.MAX_TRACKABLE_LATENCY_NS);
        wake.recordValue(v);
    }

    @Override
    public void resetGapClock() {
        lastCheckpointNs = System.nanoTime();
    }

    @Override
    public Map<String, String> args() {
        return args;
    }

    private void checkpoint() {
        long now = System.nanoTime();
        long gap = now - lastCheckpointNs;
        lastCheckpointNs = now;
        if (gap > maxGapNs) {
            maxGapNs = gap;
            maxGapAtNs = now - loopStartNs;
            maxGapCpu = lastCpu;
        }
        if (gap > watchdogGapNs && watchdogPid > 0 && !watchdogFired) {
            watchdogFired = true;
            LibC.kill(watchdogPid, LibC.SIGUSR2);
            if (watchdogListener != null) watchdogListener.fired(gap, lastCpu);
        }
        int cpu = currentCpu();
        if (cpu >= 0 && cpu != lastCpu) {
            if (lastCpu >= 0) {
                int i = (int) migrationCount;
                if (migrationCount < MAX_MIGRATION_RECORDS) {
                    migAt[i] = now - loopStartNs;
                    migFrom[i] = lastCpu;
                    migTo[i] = cpu;
                }
                migrationCount++;
            }
            markCpu(cpu);
            lastCpu = cpu;
        }
    }

    private int currentCpu() {
        return cpuSampling ? LibC.sched_getcpu() : -1;
    }

    private void markCpu(int cpu) {
        if (cpu < CPU_WORDS * 64) cpusUsed[cpu >>> 6] |= 1L << (cpu & 63);
    }

    public boolean watchdogFired() {
        return watchdogFired;
    }

    public long workUnits() {
        return workUnits;
    }

    public long iterations() {
        return iterations;
    }

    public long wallNs() {
        return (loopEndNs == 0 ? System.nanoTime() : loopEndNs) - loopStartNs;
    }

    public long maxGapNs() {
        return maxGapNs;
    }

    public long migrationCount() {
        return migrationCount;
    }

    public Histogram wakeHistogram() {
        return wake;
    }

    public SortedSet<Integer> cpusUsed() {
        SortedSet<Integer> s = new TreeSet<>();
        for (int w = 0; w < CPU_WORDS; w++) {
            long bits = cpusUsed[w];
            while (bits != 0) {
                int b = Long.numberOfTrailingZeros(bits);
                s.add(w * 64 + b);
                bits &= bits - 1;
            }
        }
        return s;
    }

    public List<Migration> migrations() {
        int n = (int) Math.min(migrationCount, MAX_MIGRATION_RECORDS);
        List<Migration> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(new Migration(migAt[i], migFrom[i], migTo[i]));
        return l;
    }

    public int maxGapCpu() {
        return maxGapCpu;
    }

    public long maxGapAtMs() {
        return maxGapAtNs / 1_000_000L;
    }
}
