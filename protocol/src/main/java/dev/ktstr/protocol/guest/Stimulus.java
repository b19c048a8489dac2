package dev.ktstr.protocol.guest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * An event the scenario applied, stamped with the guest monotonic clock so the host can line it
 * up with monitor samples. Payload of STIMULUS (kind "step"; attrs elapsedMs, stepIndex, opCount,
 * opKindMask, liveCgroups, workerCount, iterationsSum), SCENARIO_START (kind "scenario_start") and
 * SCENARIO_END (kind "scenario_end"; attrs elapsedMs) frames.
 *
 * @param monotonicNs guest System.nanoTime (CLOCK_MONOTONIC)
 * @param guestUptimeMs guest /proc/uptime
 * @param kind        e.g. "step_start", "op", "hold_end"
 * @param detail      free text
 * @param attrs       extra key/value pairs (step index, cgroup, op kind, iteration totals)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Stimulus(long monotonicNs, long guestUptimeMs, String kind, String detail, Map<String, Object> attrs) {
    public Stimulus {
        attrs = attrs == null ? Map.of() : Map.copyOf(attrs);
    }
}
