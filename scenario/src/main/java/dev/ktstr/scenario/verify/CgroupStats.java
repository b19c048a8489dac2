package dev.ktstr.scenario.verify;

import java.util.Map;

/**
 * Per-cgroup statistics from the starvation pass (spec §4.3). Percentages are percentage points,
 * latencies microseconds, run delays microseconds; ratios plain fractions.
 */
public record CgroupStats(
        String cgroup,
        int numWorkers,
        int numCpus,
        double avgOffCpuPct,
        double minOffCpuPct,
        double maxOffCpuPct,
        double spread,
        long maxGapMs,
        int maxGapCpu,
        long totalMigrations,
        double migrationRatio,
        double p99WakeLatencyUs,
        double medianWakeLatencyUs,
        double wakeLatencyCv,
        long totalIterations,
        double meanRunDelayUs,
        double worstRunDelayUs,
        double pageLocality,
        double crossNodeMigrationRatio,
        double wakeLatencyTailRatio,
        double iterationsPerWorker,
        Map<String, Double> extMetrics) {

    public CgroupStats {
        if (cgroup == null) cgroup = "";
        extMetrics = extMetrics == null ? Map.of() : Map.copyOf(extMetrics);
    }
}
