package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * Scenario-wide statistics (spec §4.6 ScenarioStats): counters are sums over cgroups, "worst"
 * fields the worst cgroup by the metric's polarity.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SidecarStats(List<SidecarCgroup> cgroups, int totalWorkers, int totalCpus, long totalMigrations,
                           double worstSpread, double worstGapMs, Integer worstGapCpu,
                           double worstMigrationRatio, double worstP99WakeLatencyUs,
                           double worstMedianWakeLatencyUs, double worstWakeLatencyCv, long totalIterations,
                           double worstMeanRunDelayUs, double worstRunDelayUs, double worstPageLocality,
                           double worstCrossNodeMigrationRatio, double worstWakeLatencyTailRatio,
                           double worstIterationsPerWorker, Map<String, Double> extMetrics) {
    public SidecarStats {
        cgroups = cgroups == null ? List.of() : List.copyOf(cgroups);
        extMetrics = extMetrics == null ? Map.of() : Map.copyOf(extMetrics);
    }
}
