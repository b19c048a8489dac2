package dev.ktstr.scenario.verify;

/** Category of an {@link AssertDetail} (spec §4.6). */
public enum DetailKind {
    STARVED, STUCK, UNFAIR, ISOLATION, BENCHMARK, MIGRATION, PAGE_LOCALITY, CROSS_NODE_MIGRATION, SLOW_TIER,
    MONITOR, SCHEDULER_DIED, SKIP, OTHER
}
