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

    public WorkConservationWatchdog {
        if (gapMs < 0) throw new IllegalArgumentException("watchdog gapMs must be >= 0 (0 = the harness default), got " + gapMs);
    }

    /** The threshold in force: {@link #gapMs} when set, else {@code harnessDefaultMs}. */
    public long gapMsOr(long harnessDefaultMs) {
        return gapMs > 0 ? gapMs : harnessDefaultMs;
    }
}
