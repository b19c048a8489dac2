package dev.ktstr.vmm.qemu;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one VM.
 *
 * @param exit         how it ended
 * @param accel        accelerator it ran under, and why that one
 * @param machine      QEMU machine model used
 * @param elapsed      QEMU start to QEMU exit
 * @param timeToConsole QEMU start to the guest's first console output, when seen
 * @param timeToInit   QEMU start to the guest /init start marker, when seen
 * @param consoleTail  the last lines of the console log (at most {@link #TAIL_LINES})
 * @param retriedAfter results of earlier attempts that failed for infrastructure reasons (oldest first)
 */
public record VmResult(VmExit exit, AccelDecision accel, MachineType machine, Duration elapsed,
                       Optional<Duration> timeToConsole, Optional<Duration> timeToInit, String consoleTail, List<VmResult> retriedAfter) {
    public static final int TAIL_LINES = 200;

    public VmResult {
        retriedAfter = List.copyOf(retriedAfter);
    }

    VmResult withRetried(List<VmResult> earlier) {
        return new VmResult(exit, accel, machine, elapsed, timeToConsole, timeToInit, consoleTail, earlier);
    }
}
