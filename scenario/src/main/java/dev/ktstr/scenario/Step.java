package dev.ktstr.scenario;

import java.util.List;
import java.util.function.Function;

/**
 * One bounded phase of a scenario (spec §2.4): apply {@code ops}, then create the {@code setup}
 * cgroups and their workers, then hold. Everything the step created (cgroups, workers, payloads)
 * is stopped, collected, checked and removed at the step's end; persistent things go in a
 * {@link Backdrop}.
 */
public record Step(Setup setup, List<Op> ops, HoldSpec hold) {

    /** The cgroups a step creates: a fixed list or computed from the ctx at run time. */
    public sealed interface Setup {
        List<CgroupDef> defs(Ctx ctx);
    }

    public record Defs(List<CgroupDef> list) implements Setup {
        public Defs { list = list == null ? List.of() : List.copyOf(list); }
        public List<CgroupDef> defs(Ctx ctx) { return list; }
    }

    public record Factory(Function<Ctx, List<CgroupDef>> factory) implements Setup {
        public List<CgroupDef> defs(Ctx ctx) { return List.copyOf(factory.apply(ctx)); }
    }

    public Step {
        if (setup == null) setup = new Defs(List.of());
        ops = ops == null ? List.of() : List.copyOf(ops);
        if (hold == null) hold = HoldSpec.FULL;
    }

    public static Step of(List<Op> ops, HoldSpec hold) { return new Step(null, ops, hold); }
    public static Step withDefs(List<CgroupDef> defs, HoldSpec hold) { return new Step(new Defs(defs), List.of(), hold); }
    public static Step withFactory(Function<Ctx, List<CgroupDef>> factory, HoldSpec hold) { return new Step(new Factory(factory), List.of(), hold); }
    /** A step that runs {@code payload} in the harness root cgroup for the hold. */
    public static Step withPayload(Payload payload, HoldSpec hold) { return of(List.of(new Op.RunPayload(payload, List.of(), null)), hold); }

    /** Replaces the ops. */
    public Step setOps(List<Op> newOps) { return new Step(setup, newOps, hold); }
}
