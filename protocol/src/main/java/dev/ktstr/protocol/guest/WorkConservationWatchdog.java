package dev.ktstr.protocol.guest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The test's setting for the harness's work-conservation watchdog: a worker that sees a
 * scheduling gap over the threshold sends SIGUSR2 to the scheduler, so a scheduler that leaves a
 * runnable task unserved is stopped (and reported as stopped by the harness).
 *
 * @param enabled false switches the watchdog off for the test: gaps are still measured and
 *                checked against the test's thresholds, but nothing signals the scheduler
 * @param gapMs   the threshold in ms; 0 = the harness's default (scaled for the accelerator)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkConservationWatchdog(boolean enabled, long gapMs) {
    /** On, with the harness's default threshold. */
    public static final WorkConservationWatchdog DEFAULT = new WorkConservationWatchdog(true, 0);

    /** The original's threshold (spec: 2000 ms), kept under KVM. */
    public static final long KVM_GAP_MS = 2_000;
    /**
     * Under TCG, 4x (8000 ms), the factor the attach window uses: an emulated vCPU thread that the
     * host deschedules for a few hundred ms leaves gaps a bare-metal scheduler would never see, and a
     * 2 s watchdog then kills healthy schedulers. Still below the default gap check (3000 ms) x 4.
     */
    public static final int TCG_FACTOR = 4;

    /** The harness default for the accelerator: {@link #KVM_GAP_MS}, times {@link #TCG_FACTOR} under TCG. */
    public static long defaultGapMs(boolean tcg) {
        return tcg ? KVM_GAP_MS * TCG_FACTOR : KVM_GAP_MS;
    }

    /** This setting with the default threshold filled in for the accelerator (an explicit gapMs is kept as is). */
    public WorkConservationWatchdog resolvedFor(boolean tcg) {
        return new WorkConservationWatchdog(enabled, gapMsOr(defaultGapMs(tcg)));
    }

    public WorkConservationWatchdog {
        if (gapMs < 0) throw new IllegalArgumentException("watchdog gapMs must be >= 0 (0 = the harness default), got " + gapMs);
    }

    /** The threshold in force: {@link #gapMs} when set, else {@code harnessDefaultMs}. */
    public long gapMsOr(long harnessDefaultMs) {
        return gapMs > 0 ? gapMs : harnessDefaultMs;
    }
}
