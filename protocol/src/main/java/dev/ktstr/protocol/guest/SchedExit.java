package dev.ktstr.protocol.guest;

/**
 * The scheduler stopped being in charge.
 *
 * @param reason      {@link Reason}
 * @param exitCode    process exit code when it exited (-1 if unknown or still running)
 * @param sysfsState  last /sys/kernel/sched_ext/state read, or null
 * @param detail      human text (dmesg line, timeout explanation)
 * @param logTail     last lines of the scheduler's stdout+stderr, for failure messages
 * @param log         the scheduler's whole stdout+stderr (its last {@link #LOG_CAP_BYTES} bytes when
 *                    longer): exit dumps run to hundreds of lines and belong in the run's log files
 * @param guestUptimeMs when it was noticed
 * @param attached    the scheduler had attached (sched_ext "enabled" with its ops) before this: an
 *                    expected error counts only when the scheduler was really in charge first
 * @param schedExt    sched_ext's own account of the exit (kind, message, debug dump), null when
 *                    neither the kernel nor the scheduler gave one
 */
public record SchedExit(Reason reason, int exitCode, String sysfsState, String detail, String logTail, String log,
                        long guestUptimeMs, boolean attached, SchedExtExit schedExt) {
    public static final int LOG_CAP_BYTES = 96 * 1024;

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
