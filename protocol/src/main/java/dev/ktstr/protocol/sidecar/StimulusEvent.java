package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A scenario step boundary or dynamic op, stamped relative to scenario start.
 *
 * @param elapsedMs       milliseconds since scenario start (guest clock)
 * @param label           what happened ("step 1")
 * @param opKind          the op kinds applied, '+'-joined (e.g. "SPAWN+SET_CPUSET"); null when none
 * @param detail          counts at that moment (ops, live cgroups, workers)
 * @param totalIterations summed worker iterations at that moment, null when not measured
 * @param stepIndex       0-based step index, null when the event belongs to no step
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StimulusEvent(long elapsedMs, String label, String opKind, String detail, Long totalIterations, Integer stepIndex) {

    /** An event with no step index (sidecars written before it was recorded). */
    public StimulusEvent(long elapsedMs, String label, String opKind, String detail, Long totalIterations) {
        this(elapsedMs, label, opKind, detail, totalIterations, null);
    }
}
