package dev.ktstr.scenario.verify;

import dev.ktstr.protocol.metrics.MetricRegistry;
import dev.ktstr.protocol.metrics.Polarity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Aggregate over all checked cgroups of a scenario (spec §4.6); same units as {@link CgroupStats}. */
public record ScenarioStats(
        List<CgroupStats> cgroups,
        int totalWorkers,
        int totalCpus,
        long totalMigrations,
        double worstSpread,
        long worstGapMs,
        int worstGapCpu,
        double worstMigrationRatio,
        double worstP99WakeLatencyUs,
        double worstMedianWakeLatencyUs,
        double worstWakeLatencyCv,
        long totalIterations,
        double worstMeanRunDelayUs,
        double worstRunDelayUs,
        double worstPageLocality,
        double worstCrossNodeMigrationRatio,
        double worstWakeLatencyTailRatio,
        double worstIterationsPerWorker,
        Map<String, Double> extMetrics) {

    public static final ScenarioStats EMPTY = new ScenarioStats(List.of(), 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of());

    public ScenarioStats {
        cgroups = cgroups == null ? List.of() : List.copyOf(cgroups);
        extMetrics = extMetrics == null ? Map.of() : Map.copyOf(extMetrics);
    }

    /** Stats of one cgroup as a scenario aggregate. */
    public static ScenarioStats of(CgroupStats c) {
        return new ScenarioStats(List.of(c), c.numWorkers(), c.numCpus(), c.totalMigrations(), c.spread(), c.maxGapMs(),
                c.maxGapCpu(), c.migrationRatio(), c.p99WakeLatencyUs(), c.medianWakeLatencyUs(), c.wakeLatencyCv(),
                c.totalIterations(), c.meanRunDelayUs(), c.worstRunDelayUs(), c.pageLocality(), c.crossNodeMigrationRatio(),
                c.wakeLatencyTailRatio(), c.iterationsPerWorker(), c.extMetrics());
    }

    /**
     * Counters summed; "worst" fields max; gap max with its CPU; page locality and iterations per
     * worker the lowest non-zero; ext metrics the worse value by their {@link MetricRegistry}
     * polarity (unknown names: max); cgroups appended.
     */
    public ScenarioStats merge(ScenarioStats o) {
        List<CgroupStats> cg = new ArrayList<>(cgroups);
        cg.addAll(o.cgroups);
        boolean otherGap = o.worstGapMs > worstGapMs;
        Map<String, Double> ext = new HashMap<>(extMetrics);
        o.extMetrics.forEach((k, v) -> ext.merge(k, v, (x, y) -> worse(k, x, y)));
        return new ScenarioStats(cg, totalWorkers + o.totalWorkers, totalCpus + o.totalCpus, totalMigrations + o.totalMigrations,
                Math.max(worstSpread, o.worstSpread), otherGap ? o.worstGapMs : worstGapMs, otherGap ? o.worstGapCpu : worstGapCpu,
                Math.max(worstMigrationRatio, o.worstMigrationRatio), Math.max(worstP99WakeLatencyUs, o.worstP99WakeLatencyUs),
                Math.max(worstMedianWakeLatencyUs, o.worstMedianWakeLatencyUs), Math.max(worstWakeLatencyCv, o.worstWakeLatencyCv),
                totalIterations + o.totalIterations, Math.max(worstMeanRunDelayUs, o.worstMeanRunDelayUs),
                Math.max(worstRunDelayUs, o.worstRunDelayUs), lowestNonZero(worstPageLocality, o.worstPageLocality),
                Math.max(worstCrossNodeMigrationRatio, o.worstCrossNodeMigrationRatio),
                Math.max(worstWakeLatencyTailRatio, o.worstWakeLatencyTailRatio),
                lowestNonZero(worstIterationsPerWorker, o.worstIterationsPerWorker), ext);
    }

    static double worse(String metric, double a, double b) {
        boolean higherIsBetter = MetricRegistry.byName(metric).map(d -> d.polarity() == Polarity.HIGHER_IS_BETTER).orElse(false);
        return higherIsBetter ? Math.min(a, b) : Math.max(a, b);
    }

    private static double lowestNonZero(double a, double b) {
        if (a == 0) return b;
        if (b == 0) return a;
        return Math.min(a, b);
    }
}
