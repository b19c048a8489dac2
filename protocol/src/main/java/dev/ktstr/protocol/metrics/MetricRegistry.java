package dev.ktstr.protocol.metrics;

import static dev.ktstr.protocol.metrics.Polarity.HIGHER_IS_BETTER;
import static dev.ktstr.protocol.metrics.Polarity.LOWER_IS_BETTER;

import dev.ktstr.protocol.sidecar.MonitorSummary;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarStats;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** The 19 metrics {@code ktstr stats compare} gates on (spec §8.4), in the spec's order. */
public final class MetricRegistry {
    private static final List<MetricDef> ALL = List.of(
            stat("worst_spread", LOWER_IS_BETTER, 5.0, 0.25, "%", "off-CPU % spread between workers of a cgroup", SidecarStats::worstSpread),
            stat("worst_gap_ms", LOWER_IS_BETTER, 500, 0.50, "ms", "longest scheduling gap of any worker", SidecarStats::worstGapMs),
            stat("total_migrations", LOWER_IS_BETTER, 10, 0.30, "count", "CPU migrations of all workers", s -> s.totalMigrations()),
            stat("worst_migration_ratio", LOWER_IS_BETTER, 0.05, 0.20, "ratio", "migrations per iteration, worst cgroup", SidecarStats::worstMigrationRatio),
            mon("max_imbalance_ratio", LOWER_IS_BETTER, 1.0, 0.25, "ratio", "max/min nr_running across CPUs (monitor)", MonitorSummary::maxImbalanceRatio),
            mon("max_dsq_depth", LOWER_IS_BETTER, 10, 0.50, "count", "deepest scx local DSQ (monitor)", m -> m.maxDsqDepth()),
            mon("stall_count", LOWER_IS_BETTER, 1, 0.50, "count", "sustained rq_clock stalls (monitor)", m -> m.stallCount()),
            mon("total_fallback", LOWER_IS_BETTER, 5, 0.30, "count", "select_cpu_fallback events (monitor)", m -> m.totalFallback()),
            mon("total_keep_last", LOWER_IS_BETTER, 5, 0.30, "count", "dispatch_keep_last events (monitor)", m -> m.totalKeepLast()),
            lat("worst_p99_wake_latency_us", LOWER_IS_BETTER, 50, 0.25, "us", "p99 wake latency, worst cgroup", SidecarStats::worstP99WakeLatencyUs),
            lat("worst_median_wake_latency_us", LOWER_IS_BETTER, 20, 0.25, "us", "median wake latency, worst cgroup", SidecarStats::worstMedianWakeLatencyUs),
            lat("worst_wake_latency_cv", LOWER_IS_BETTER, 0.10, 0.25, "ratio", "wake latency stddev/mean, worst cgroup", SidecarStats::worstWakeLatencyCv),
            stat("total_iterations", HIGHER_IS_BETTER, 100, 0.10, "count", "outer-loop iterations of all workers", s -> s.totalIterations()),
            stat("worst_mean_run_delay_us", LOWER_IS_BETTER, 50, 0.25, "us", "mean runqueue wait (schedstat), worst cgroup", SidecarStats::worstMeanRunDelayUs),
            stat("worst_run_delay_us", LOWER_IS_BETTER, 100, 0.50, "us", "largest runqueue wait (schedstat)", SidecarStats::worstRunDelayUs),
            lat("worst_wake_latency_tail_ratio", LOWER_IS_BETTER, 0.5, 0.25, "ratio", "p99/median wake latency, worst cgroup", SidecarStats::worstWakeLatencyTailRatio),
            stat("worst_iterations_per_worker", HIGHER_IS_BETTER, 10, 0.10, "count", "iterations of the slowest worker", SidecarStats::worstIterationsPerWorker),
            stat("worst_page_locality", HIGHER_IS_BETTER, 0.05, 0.10, "ratio", "pages on the cgroup's NUMA nodes", SidecarStats::worstPageLocality),
            stat("worst_cross_node_migration_ratio", LOWER_IS_BETTER, 0.05, 0.20, "ratio", "NUMA pages migrated / pages", SidecarStats::worstCrossNodeMigrationRatio));

    private MetricRegistry() {}

    public static List<MetricDef> all() {
        return ALL;
    }

    public static Optional<MetricDef> byName(String name) {
        return ALL.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    private static MetricDef stat(String n, Polarity p, double abs, double rel, String unit, String desc,
                                  ToDoubleFunction<SidecarStats> f) {
        return new MetricDef(n, p, abs, rel, unit, desc, false, fromStats(f));
    }

    private static MetricDef lat(String n, Polarity p, double abs, double rel, String unit, String desc,
                                 ToDoubleFunction<SidecarStats> f) {
        return new MetricDef(n, p, abs, rel, unit, desc, true, fromStats(f));
    }

    private static MetricDef mon(String n, Polarity p, double abs, double rel, String unit, String desc,
                                 ToDoubleFunction<MonitorSummary> f) {
        return new MetricDef(n, p, abs, rel, unit, desc, false,
                s -> s.monitor() == null ? null : f.applyAsDouble(s.monitor()));
    }

    private static Function<Sidecar, Double> fromStats(ToDoubleFunction<SidecarStats> f) {
        return s -> s.stats() == null ? null : f.applyAsDouble(s.stats());
    }
}
