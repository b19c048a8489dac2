package dev.ktstr.scenario.work;

/**
 * One phase of a {@link WorkType.Sequence}: what the worker does and for how long (microseconds).
 * {@code SPIN} burns CPU in 1024-step chunks, {@code SLEEP} sleeps, {@code YIELD} calls
 * {@code sched_yield} in a loop, {@code IO} does 4 KiB synchronous writes to a private temp file.
 * Sleep, yield and io phases record wake latency and reset the gap clock (spec §3.2).
 */
public record Phase(Kind kind, long durationUs) implements java.io.Serializable {

    public enum Kind { SPIN, SLEEP, YIELD, IO }

    public Phase {
        if (kind == null) throw new IllegalArgumentException("phase kind must be set");
        if (durationUs <= 0) throw new IllegalArgumentException("phase " + kind + " duration must be > 0 us, got " + durationUs);
    }

    public static Phase spinMs(long ms) { return new Phase(Kind.SPIN, ms * 1000); }
    public static Phase sleepMs(long ms) { return new Phase(Kind.SLEEP, ms * 1000); }
    public static Phase yieldMs(long ms) { return new Phase(Kind.YIELD, ms * 1000); }
    public static Phase ioMs(long ms) { return new Phase(Kind.IO, ms * 1000); }
}
