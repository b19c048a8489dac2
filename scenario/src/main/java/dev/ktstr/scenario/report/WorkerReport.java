package dev.ktstr.scenario.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * What one worker process measured over its loop (spec §3.2). Produced by the worker process as JSON
 * ({@link ReportJson}), one per worker, and by the collector as a sentinel when a worker died.
 *
 * <p>Units: every {@code *Ns} field is nanoseconds, every {@code *Ms} field milliseconds.
 *
 * @param pid                     worker process id (in the guest's pid namespace)
 * @param tid                     id of the thread that ran the loop (the "tid N" of check messages)
 * @param cgroup                  cgroup path the worker was placed in, relative to the harness cgroup
 *                                root (e.g. {@code cg_0/sub_a}; {@code ""} = the root itself)
 * @param workerIndex             index of the worker within its spawn group (0-based)
 * @param workType                {@link dev.ktstr.scenario.work.WorkType#name()} of the loop it ran
 * @param workUnits               work units done (starvation = 0); see spec §3.2 per type
 * @param iterations              outer-loop iterations completed
 * @param cpuTimeNs               thread CPU time consumed by the loop ({@code CLOCK_THREAD_CPUTIME_ID})
 * @param wallTimeNs              loop wall-clock duration ({@code CLOCK_MONOTONIC})
 * @param offCpuNs                {@code wallTimeNs - cpuTimeNs}, clamped at 0
 * @param maxGapMs                longest wall-clock gap between two consecutive checkpoints
 * @param maxGapCpu               CPU the worker was last seen on before that gap (-1 if none)
 * @param maxGapAtMs              when that gap ended, milliseconds since loop start
 * @param migrationCount          CPU changes seen at checkpoints (exact, even if {@code migrations} is capped)
 * @param cpusUsed                every CPU seen at a checkpoint, ascending
 * @param migrations              the CPU changes, oldest first; producers may cap this list (at 10 000)
 * @param wakeLatencyHistogram    wake latencies in nanoseconds as an HdrHistogram: base64 (RFC 4648,
 *                                no line breaks) of {@link Histogram#encodeIntoCompressedByteBuffer};
 *                                {@code null} or empty = no samples. Decode with {@link #wakeLatencies()}.
 * @param wakeSampleTotal         number of wake-latency observations (= histogram total count)
 * @param schedstatRunDelayNs     delta of /proc/self/schedstat field 2 (time waiting on a runqueue)
 * @param schedstatRunCount       delta of field 3 (times picked to run)
 * @param schedstatCpuTimeNs      delta of field 1 (time on CPU)
 * @param numaPages               pages per NUMA node from /proc/self/numa_maps at loop end (empty if unread)
 * @param vmstatNumaPagesMigrated delta of /proc/vmstat numa_pages_migrated over the loop
 * @param jvm                     GC / JIT noise during the loop ({@link JvmNoise#NONE} if unknown)
 * @param completed               true when the worker ran its loop to the stop signal and reported
 * @param exitInfo                why no report came ({@code null} when {@code completed})
 * @param messenger               true for the fan-out messenger (records no wake latency)
 */
public record WorkerReport(
        int pid,
        int tid,
        String cgroup,
        int workerIndex,
        String workType,
        long workUnits,
        long iterations,
        long cpuTimeNs,
        long wallTimeNs,
        long offCpuNs,
        long maxGapMs,
        int maxGapCpu,
        long maxGapAtMs,
        long migrationCount,
        SortedSet<Integer> cpusUsed,
        List<Migration> migrations,
        String wakeLatencyHistogram,
        long wakeSampleTotal,
        long schedstatRunDelayNs,
        long schedstatRunCount,
        long schedstatCpuTimeNs,
        Map<Integer, Long> numaPages,
        long vmstatNumaPagesMigrated,
        JvmNoise jvm,
        boolean completed,
        ExitInfo exitInfo,
        boolean messenger) implements java.io.Serializable {

    /** Highest trackable latency: one hour in ns; larger samples are clamped by the producer. */
    public static final long MAX_TRACKABLE_LATENCY_NS = 3_600_000_000_000L;
    /** Precision used by {@link #newLatencyHistogram()}. */
    public static final int LATENCY_SIGNIFICANT_DIGITS = 3;

    public WorkerReport {
        if (cgroup == null) cgroup = "";
        if (workType == null) workType = "";
        cpusUsed = cpusUsed == null ? new TreeSet<>() : new TreeSet<>(cpusUsed);
        migrations = migrations == null ? List.of() : List.copyOf(migrations);
        numaPages = numaPages == null ? Map.of() : Map.copyOf(numaPages);
        if (jvm == null) jvm = JvmNoise.NONE;
    }

    /** The report the collector substitutes for a worker that produced no or invalid JSON. */
    public static WorkerReport sentinel(int pid, String cgroup, int workerIndex, String workType, ExitInfo why) {
        return sentinel(pid, pid, cgroup, workerIndex, workType, why);
    }

    /** A sentinel for a worker thread whose thread id is known (workers of one host share the pid). */
    public static WorkerReport sentinel(int pid, int tid, String cgroup, int workerIndex, String workType, ExitInfo why) {
        return new WorkerReport(pid, tid, cgroup, workerIndex, workType, 0, 0, 0, 0, 0, 0, -1, 0, 0,
                null, null, null, 0, 0, 0, 0, null, 0, JvmNoise.NONE, false, why, false);
    }

    /** A fresh histogram with the precision and range every producer must use. */
    public static Histogram newLatencyHistogram() {
        Histogram h = new Histogram(1, MAX_TRACKABLE_LATENCY_NS, LATENCY_SIGNIFICANT_DIGITS);
        return h;
    }

    /** Base64 of the compressed histogram; {@code null} when it holds no samples. */
    public static String encodeHistogram(Histogram histogram) {
        if (histogram == null || histogram.getTotalCount() == 0) return null;
        ByteBuffer buf = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int len = histogram.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[len];
        buf.flip();
        buf.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Decodes a {@link #encodeHistogram} string; an empty histogram for null/empty. */
    public static Histogram decodeHistogram(String base64) {
        if (base64 == null || base64.isEmpty()) return newLatencyHistogram();
        try {
            byte[] bytes = Base64.getDecoder().decode(base64);
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IllegalArgumentException("corrupt wake-latency histogram in worker report: " + e.getMessage(), e);
        }
    }

    /** This worker's wake latencies (ns); empty when it recorded none. */
    public Histogram wakeLatencies() {
        return decodeHistogram(wakeLatencyHistogram);
    }

    /** {@code offCpuNs / wallTimeNs × 100}; 0 when wall time is 0. */
    @JsonIgnore
    public double offCpuPct() {
        return wallTimeNs <= 0 ? 0.0 : offCpuNs * 100.0 / wallTimeNs;
    }

    /** Sum of {@link #numaPages} values. */
    @JsonIgnore
    public long totalNumaPages() {
        long t = 0;
        for (long v : numaPages.values()) t += v;
        return t;
    }
}
