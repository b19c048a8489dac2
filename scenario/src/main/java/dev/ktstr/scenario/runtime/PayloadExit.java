package dev.ktstr.scenario.runtime;

/**
 * How a payload ended: {@code exitCode} (or -1 when killed / timed out), {@code signal} (0 if none),
 * {@code wallTimeMs} from start to reap, and the last lines of its output for failure messages.
 */
public record PayloadExit(int exitCode, int signal, long wallTimeMs, String outputTail) {
    public PayloadExit {
        if (outputTail == null) outputTail = "";
    }

    public boolean success() {
        return exitCode == 0 && signal == 0;
    }
}
