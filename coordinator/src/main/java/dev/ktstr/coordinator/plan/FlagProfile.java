package dev.ktstr.coordinator.plan;

import java.util.List;

/** The active scheduler flags of one variant, in declaration order. */
public record FlagProfile(List<String> flags) {

    public static final FlagProfile DEFAULT = new FlagProfile(List.of());

    public FlagProfile {
        flags = List.copyOf(flags);
    }

    /** Flags joined with {@code +}, or {@code default} when none is active (ktstr-spec §6.4). */
    public String name() {
        return flags.isEmpty() ? "default" : String.join("+", flags);
    }

    @Override
    public String toString() {
        return name();
    }
}
