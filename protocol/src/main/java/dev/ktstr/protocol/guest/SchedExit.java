package dev.ktstr.protocol.guest;

/**
 * The scheduler stopped being in charge.
 *
 * @param reason      {@link Reason}
 * @param exitCode    process exit code when it exited (-1 if unknown or still running)
 * @param sysfsState  last /sys/kernel/sched_ext/state read, or null
 * @param detail      human text (dmesg line, timeout explanation)
 * @param logTail     last lines of the scheduler's stdout+stderr
 * @param guestUptimeMs when it was noticed
 */
public record SchedExit(Reason reason, int exitCode, String sysfsState, String detail, String logTail, long guestUptimeMs) {
    public enum Reason {
        /** process exited before or while the test ran */
        EXITED,
        /** process alive but sched_ext did not reach "enabled" within the attach deadline */
        NOT_ATTACHED,
        /** sched_ext went back to disabled while the process was alive (kernel ejected it) */
        EJECTED,
        /** the binary could not be started */
        START_FAILED,
        /** the agent stopped it at the end of the test (normal) */
        STOPPED
    }
}
