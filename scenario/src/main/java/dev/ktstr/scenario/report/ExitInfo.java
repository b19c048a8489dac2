package dev.ktstr.scenario.report;

/**
 * Why a worker produced no (valid) report. {@code code} is the exit status for {@link Kind#EXITED},
 * the signal number for {@link Kind#SIGNALED}, else 0; {@code message} is free text (may be empty).
 */
public record ExitInfo(Kind kind, int code, String message) implements java.io.Serializable {

    public enum Kind { EXITED, SIGNALED, TIMED_OUT, WAIT_FAILED, SETUP_FAILED }

    public ExitInfo {
        if (kind == null) throw new IllegalArgumentException("exit kind must be set");
        if (message == null) message = "";
    }

    public static ExitInfo exited(int code) { return new ExitInfo(Kind.EXITED, code, ""); }
    public static ExitInfo signaled(int signal) { return new ExitInfo(Kind.SIGNALED, signal, ""); }
    public static ExitInfo timedOut() { return new ExitInfo(Kind.TIMED_OUT, 0, ""); }
    public static ExitInfo waitFailed(String message) { return new ExitInfo(Kind.WAIT_FAILED, 0, message); }
    /** The worker could not apply its affinity / policy / mempolicy / cgroup placement. */
    public static ExitInfo setupFailed(String message) { return new ExitInfo(Kind.SETUP_FAILED, 0, message); }

    public String describe() {
        return switch (kind) {
            case EXITED -> "exited with code " + code;
            case SIGNALED -> "killed by signal " + code;
            case TIMED_OUT -> "timed out before reporting";
            case WAIT_FAILED -> "wait failed: " + message;
            case SETUP_FAILED -> "setup failed: " + message;
        };
    }
}
