package dev.ktstr.scenario.runtime;

/**
 * Written after each step's ops/setup are applied (spec §2.4 step 4), so host-side timelines can
 * line up monitor samples with what the scenario did.
 *
 * @param elapsedMs       milliseconds since scenario start
 * @param stepIndex       0-based step index
 * @param opCount         ops applied in this application
 * @param opKindMask      bit {@code 1 << OpKind.ordinal()} set for each kind applied
 * @param liveCgroups     cgroups alive (step + backdrop)
 * @param workerCount     workers alive (step + backdrop)
 * @param iterationsSum   summed outer-iteration counters of live workers at this moment
 */
public record StimulusEvent(long elapsedMs, int stepIndex, int opCount, long opKindMask,
                            int liveCgroups, int workerCount, long iterationsSum) {
}
