package dev.ktstr.vmm.monitor;

import dev.ktstr.protocol.sidecar.MonitorSummary;
import java.util.List;

/**
 * Result of the monitor checks.
 *
 * @param passed      no sustained violation
 * @param violations  one message per failed check, e.g. "imbalance ratio 6.0 exceeded threshold 4.0 for 7
 *                    consecutive samples (ending at sample 42)"
 * @param note        why the checks passed without evaluating ("no monitor samples", ...), else empty
 * @param summary     aggregates for the sidecar
 * @param avgNrRunning        mean nr_running over evaluated samples and CPUs
 * @param avgImbalanceRatio   mean per-sample imbalance ratio
 * @param avgLocalDsqDepth    mean local DSQ depth (0 without sched_ext fields)
 */
public record MonitorVerdict(boolean passed, List<String> violations, String note, MonitorSummary summary, double avgNrRunning,
                             double avgImbalanceRatio, double avgLocalDsqDepth) {
    public MonitorVerdict {
        violations = List.copyOf(violations);
    }

    /** "monitor OK" or "monitor FAILED: N violation(s)". */
    public String line() {
        return passed ? "monitor OK" : "monitor FAILED: " + violations.size() + " violation(s)";
    }
}
