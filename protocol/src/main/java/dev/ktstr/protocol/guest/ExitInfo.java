package dev.ktstr.protocol.guest;

/**
 * Last frame before the guest powers off.
 *
 * @param code   agent exit code: 0 pass, 1 test failed, 2 scheduler died/not attached, 3 agent error, 4 timeout
 * @param reason short human text
 * @param guestUptimeMs guest /proc/uptime at exit
 */
public record ExitInfo(int code, String reason, long guestUptimeMs) {
    public static final int PASS = 0;
    public static final int TEST_FAILED = 1;
    public static final int SCHEDULER_FAILED = 2;
    public static final int AGENT_ERROR = 3;
    public static final int TIMED_OUT = 4;
}
