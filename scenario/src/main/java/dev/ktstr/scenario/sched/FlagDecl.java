package dev.ktstr.scenario.sched;

import java.util.List;

/**
 * A scheduler feature flag: {@code args} are appended to the scheduler command line when the flag is
 * active; {@code requires} names flags that must be active too. There is no "excludes" at
 * declaration level (only per test, {@code excludedFlags}).
 */
public record FlagDecl(String name, List<String> args, List<String> requires) {
    public FlagDecl {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("flag needs a name");
        args = args == null ? List.of() : List.copyOf(args);
        requires = requires == null ? List.of() : List.copyOf(requires);
    }

    public static FlagDecl of(String name, String... args) {
        return new FlagDecl(name, List.of(args), List.of());
    }

    /** The catalog flags of the original (all with empty args): llc, borrow, steal (requires llc), rebal, reject-pin, no-ctrl. */
    public static final List<FlagDecl> CATALOG = List.of(
            of("llc"), of("borrow"), new FlagDecl("steal", List.of(), List.of("llc")),
            of("rebal"), of("reject-pin"), of("no-ctrl"));
}
