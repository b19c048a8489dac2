package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * Statistics of one cgroup of a scenario (spec §4.3 CgroupStats), plus the raw wake-latency
 * distribution so that later comparisons can merge runs exactly instead of averaging percentiles.
 *
 * @param wakeSampleTotal  wake-latency observations, including any not kept in the histogram
 * @param wakeLatencyHdr   base64 of the HdrHistogram compressed encoding of all workers' wake
 *                         latencies in nanoseconds (see {@link WakeLatencyHistograms}); null when
 *                         the cgroup's work type does not block
 * @param workType         the work type(s) its workers ran, from their reports ('+'-joined, sorted,
 *                         when several); null when no worker of the cgroup reported
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SidecarCgroup(String name, int numWorkers, int numCpus,
                            double avgOffCpuPct, double minOffCpuPct, double maxOffCpuPct, double spread,
                            double maxGapMs, Integer maxGapCpu, long totalMigrations, double migrationRatio,
                            double p99WakeLatencyUs, double medianWakeLatencyUs, double wakeLatencyCv,
                            long totalIterations, double meanRunDelayUs, double worstRunDelayUs,
                            double pageLocality, double crossNodeMigrationRatio, double wakeLatencyTailRatio,
                            double iterationsPerWorker, Map<String, Double> extMetrics,
                            long wakeSampleTotal, String wakeLatencyHdr, String workType) {

    /** A cgroup whose work type is not known (sidecars written before it was recorded). */
    public SidecarCgroup(String name, int numWorkers, int numCpus,
                         double avgOffCpuPct, double minOffCpuPct, double maxOffCpuPct, double spread,
                         double maxGapMs, Integer maxGapCpu, long totalMigrations, double migrationRatio,
                         double p99WakeLatencyUs, double medianWakeLatencyUs, double wakeLatencyCv,
                         long totalIterations, double meanRunDelayUs, double worstRunDelayUs,
                         double pageLocality, double crossNodeMigrationRatio, double wakeLatencyTailRatio,
                         double iterationsPerWorker, Map<String, Double> extMetrics,
                         long wakeSampleTotal, String wakeLatencyHdr) {
        this(name, numWorkers, numCpus, avgOffCpuPct, minOffCpuPct, maxOffCpuPct, spread, maxGapMs, maxGapCpu,
                totalMigrations, migrationRatio, p99WakeLatencyUs, medianWakeLatencyUs, wakeLatencyCv, totalIterations,
                meanRunDelayUs, worstRunDelayUs, pageLocality, crossNodeMigrationRatio, wakeLatencyTailRatio,
                iterationsPerWorker, extMetrics, wakeSampleTotal, wakeLatencyHdr, null);
    }
}
