package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Wall-clock time of each phase of one variant, milliseconds; null when the phase never started
 * (a variant skipped before boot has all four null).
 *
 * @param bootMs       QEMU start until the guest agent's hello frame
 * @param agentReadyMs hello until the scheduler is attached and the agent accepts the job
 * @param scenarioMs   the test method (workers, steps) inside the guest
 * @param teardownMs   result received until QEMU exited and host resources were released
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PhaseTimings(Long bootMs, Long agentReadyMs, Long scenarioMs, Long teardownMs) {
    public static PhaseTimings none() {
        return new PhaseTimings(null, null, null, null);
    }
}
