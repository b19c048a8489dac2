package dev.ktstr.scenario;

import java.time.Duration;

/**
 * How long a step holds after applying its ops (spec §2.4): {@link Frac} = fraction of
 * {@link Ctx#duration()}, {@link Fixed} = a fixed duration, {@link Loop} = repeat the step's ops
 * every {@code interval} until scenario start + ctx duration.
 */
public sealed interface HoldSpec {

    record Frac(double fraction) implements HoldSpec {}

    record Fixed(Duration duration) implements HoldSpec {}

    record Loop(Duration interval) implements HoldSpec {}

    HoldSpec FULL = new Frac(1.0);

    static HoldSpec frac(double f) { return new Frac(f); }
    static HoldSpec fixed(Duration d) { return new Fixed(d); }
    static HoldSpec loop(Duration interval) { return new Loop(interval); }

    /** Throws for Fixed(0), non-finite or non-positive Frac, Loop(0). */
    default void validate() {
        if (this instanceof Frac f) {
            if (!Double.isFinite(f.fraction()) || f.fraction() <= 0) {
                throw new IllegalArgumentException("HoldSpec.Frac must be finite and > 0, got " + f.fraction());
            }
        } else if (this instanceof Fixed x) {
            if (x.duration() == null || x.duration().isNegative() || x.duration().isZero()) {
                throw new IllegalArgumentException("HoldSpec.Fixed must be > 0, got " + x.duration());
            }
        } else {
            Loop l = (Loop) this;
            if (l.interval() == null || l.interval().isNegative() || l.interval().isZero()) {
                throw new IllegalArgumentException("HoldSpec.Loop interval must be > 0, got " + l.interval());
            }
        }
    }
}
