package dev.ktstr.vmm.monitor;

/**
 * Monitor check thresholds (ktstr's {@code Assert} monitor fields after the merge chain).
 *
 * @param maxImbalanceRatio  max(nr_running)/max(1,min(nr_running)) allowed per sample
 * @param maxLocalDsqDepth   deepest allowed scx local DSQ on any CPU
 * @param failOnStall        whether an rq_clock stall fails the run
 * @param sustainedSamples   consecutive violating samples that make a failure
 * @param maxFallbackRate    select_cpu_fallback events/s over all CPUs
 * @param maxKeepLastRate    dispatch_keep_last events/s over all CPUs
 * @param warmupSamples      leading samples discarded as boot/attach settling
 */
public record MonitorThresholds(double maxImbalanceRatio, long maxLocalDsqDepth, boolean failOnStall, int sustainedSamples,
                                double maxFallbackRate, double maxKeepLastRate, int warmupSamples) {
    public static final MonitorThresholds DEFAULTS = new MonitorThresholds(4.0, 50, true, 5, 200.0, 100.0, 20);

    public MonitorThresholds {
        if (sustainedSamples < 1) throw new IllegalArgumentException("sustainedSamples must be >= 1, got " + sustainedSamples);
        if (warmupSamples < 0) throw new IllegalArgumentException("warmupSamples must be >= 0");
        if (!(maxImbalanceRatio >= 1.0)) throw new IllegalArgumentException("maxImbalanceRatio must be >= 1.0, got " + maxImbalanceRatio);
    }
}
