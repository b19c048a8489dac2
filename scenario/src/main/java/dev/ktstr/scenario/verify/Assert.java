package dev.ktstr.scenario.verify;

/**
 * Threshold bundle (spec §4.1); every field is optional ({@code null} = not set at this layer).
 * {@link #NO_OVERRIDES} (all null) is the merge identity, not "no checks": the effective bundle is
 * {@code defaultChecks().merge(scheduler).merge(test)}, field-wise last-non-null-wins.
 *
 * <p>Units: {@code maxGapMs} ms; {@code maxP99WakeLatencyNs} ns; {@code *Pct} percentage points;
 * {@code *Rate} per second (work units per CPU-second for minWorkRate, iterations per wall-second for
 * minIterationRate, events per second over all CPUs for the monitor rates); ratios and CVs are plain
 * fractions; {@code sustainedSamples} counts monitor samples (100 ms apart).
 */
public record Assert(
        Boolean notStarved,
        Boolean isolation,
        Long maxGapMs,
        Double maxSpreadPct,
        Double maxThroughputCv,
        Double minWorkRate,
        Long maxP99WakeLatencyNs,
        Double maxWakeLatencyCv,
        Double minIterationRate,
        Double maxMigrationRatio,
        Double minPageLocality,
        Double maxCrossNodeMigrationRatio,
        Double maxSlowTierRatio,
        Double maxImbalanceRatio,
        Integer maxLocalDsqDepth,
        Boolean failOnStall,
        Integer sustainedSamples,
        Double maxFallbackRate,
        Double maxKeepLastRate) {

    /**
     * Gap limit used by the starvation check when {@code maxGapMs} is unset. The original uses
     * 2000 ms in release and 3000 ms in debug builds; Java has no build profile, and the debug value
     * is what nextest users normally see, so we use it.
     */
    public static final long DEFAULT_MAX_GAP_MS = 3000;
    /** Spread limit when {@code maxSpreadPct} is unset (debug-build value of the original, see above). */
    public static final double DEFAULT_MAX_SPREAD_PCT = 35.0;

    public static final Assert NO_OVERRIDES = new Assert(null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null);

    /** Spec §4.1 defaults: not starved, monitor imbalance 4.0, DSQ depth 50, stall on, 5 samples, 200/100 events/s. */
    public static Assert defaultChecks() {
        return NO_OVERRIDES.withNotStarved(true).withMaxImbalanceRatio(4.0).withMaxLocalDsqDepth(50)
                .withFailOnStall(true).withSustainedSamples(5).withMaxFallbackRate(200.0).withMaxKeepLastRate(100.0);
    }

    /** Field-wise: {@code other}'s value where set, else this one's. */
    public Assert merge(Assert other) {
        if (other == null) return this;
        return new Assert(
                pick(notStarved, other.notStarved), pick(isolation, other.isolation), pick(maxGapMs, other.maxGapMs),
                pick(maxSpreadPct, other.maxSpreadPct), pick(maxThroughputCv, other.maxThroughputCv),
                pick(minWorkRate, other.minWorkRate), pick(maxP99WakeLatencyNs, other.maxP99WakeLatencyNs),
                pick(maxWakeLatencyCv, other.maxWakeLatencyCv), pick(minIterationRate, other.minIterationRate),
                pick(maxMigrationRatio, other.maxMigrationRatio), pick(minPageLocality, other.minPageLocality),
                pick(maxCrossNodeMigrationRatio, other.maxCrossNodeMigrationRatio),
                pick(maxSlowTierRatio, other.maxSlowTierRatio), pick(maxImbalanceRatio, other.maxImbalanceRatio),
                pick(maxLocalDsqDepth, other.maxLocalDsqDepth), pick(failOnStall, other.failOnStall),
                pick(sustainedSamples, other.sustainedSamples), pick(maxFallbackRate, other.maxFallbackRate),
                pick(maxKeepLastRate, other.maxKeepLastRate));
    }

    /** True when any worker-side field is set (else the collector falls back to a plain starvation check). */
    public boolean hasWorkerChecks() {
        return notStarved != null || isolation != null || maxGapMs != null || maxSpreadPct != null
                || maxThroughputCv != null || minWorkRate != null || maxP99WakeLatencyNs != null
                || maxWakeLatencyCv != null || minIterationRate != null || maxMigrationRatio != null
                || minPageLocality != null || maxCrossNodeMigrationRatio != null || maxSlowTierRatio != null;
    }

    public boolean checksNotStarved() { return Boolean.TRUE.equals(notStarved); }
    public boolean checksIsolation() { return Boolean.TRUE.equals(isolation); }
    public long gapLimitMs() { return maxGapMs != null ? maxGapMs : DEFAULT_MAX_GAP_MS; }
    public double spreadLimitPct() { return maxSpreadPct != null ? maxSpreadPct : DEFAULT_MAX_SPREAD_PCT; }

    public Assert checkNotStarved() { return withNotStarved(true); }
    public Assert checkIsolation() { return withIsolation(true); }

    public Assert withNotStarved(Boolean v) { return new Assert(v, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withIsolation(Boolean v) { return new Assert(notStarved, v, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxGapMs(Long v) { return new Assert(notStarved, isolation, v, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxSpreadPct(Double v) { return new Assert(notStarved, isolation, maxGapMs, v, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxThroughputCv(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, v, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMinWorkRate(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, v, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxP99WakeLatencyNs(Long v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, v, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxWakeLatencyCv(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, v, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMinIterationRate(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, v, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxMigrationRatio(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, v, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMinPageLocality(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, v, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxCrossNodeMigrationRatio(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, v, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxSlowTierRatio(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, v, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxImbalanceRatio(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, v, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxLocalDsqDepth(Integer v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, v, failOnStall, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withFailOnStall(Boolean v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, v, sustainedSamples, maxFallbackRate, maxKeepLastRate); }
    public Assert withSustainedSamples(Integer v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, v, maxFallbackRate, maxKeepLastRate); }
    public Assert withMaxFallbackRate(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, v, maxKeepLastRate); }
    public Assert withMaxKeepLastRate(Double v) { return new Assert(notStarved, isolation, maxGapMs, maxSpreadPct, maxThroughputCv, minWorkRate, maxP99WakeLatencyNs, maxWakeLatencyCv, minIterationRate, maxMigrationRatio, minPageLocality, maxCrossNodeMigrationRatio, maxSlowTierRatio, maxImbalanceRatio, maxLocalDsqDepth, failOnStall, sustainedSamples, maxFallbackRate, v); }

    private static <T> T pick(T base, T over) {
        return over != null ? over : base;
    }
}
