package dev.ktstr.scenario;

import dev.ktstr.scenario.verify.Assert;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.work.AffinityKind;
import dev.ktstr.scenario.work.WorkType;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Scenario executors (spec §2.4) and the 14 canned scenarios (spec §2.7).
 *
 * <p>Step semantics: per step, ops are applied first, then the setup's cgroups are created and
 * their workers started (so ops can create parents of setup cgroups); then the step holds.
 * Everything a step created is stopped, collected, checked and removed at the step's end; only the
 * {@link Backdrop} persists across steps. Errors become failing results, never exceptions.
 */
public final class Scenarios {

    private Scenarios() {
    }

    // ---- executors ----

    /** One step with these defs, held for the full duration. */
    public static AssertResult executeDefs(Ctx ctx, List<CgroupDef> defs) {
        return executeSteps(ctx, List.of(Step.withDefs(defs, HoldSpec.FULL)));
    }

    /** Steps checked with {@link Ctx#checks()}. */
    public static AssertResult executeSteps(Ctx ctx, List<Step> steps) {
        return executeScenario(ctx, Backdrop.EMPTY, steps, null);
    }

    /** Steps checked with {@code checks} instead of ctx's merged bundle (no merge). */
    public static AssertResult executeStepsWith(Ctx ctx, List<Step> steps, Assert checks) {
        return executeScenario(ctx, Backdrop.EMPTY, steps, checks);
    }

    /** The general form; {@code checks == null} means {@link Ctx#checks()}. */
    public static AssertResult executeScenario(Ctx ctx, Backdrop backdrop, List<Step> steps, Assert checks) {
        return new ScenarioRun(ctx, checks).run(backdrop, steps);
    }

    // ---- helpers for custom scenarios ----

    /** The default work with ctx's worker count. */
    public static Work dflWl(Ctx ctx) {
        return Work.DEFAULT.withNumWorkers(ctx.workersPerCgroup());
    }

    /** {@code cg_0 .. cg_{n-1}} with default works. */
    public static List<CgroupDef> cgroups(int n) {
        List<CgroupDef> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(CgroupDef.named("cg_" + i));
        return l;
    }

    /**
     * One cgroup per name, rotating CpuSpin, Bursty(50/100), IoSync (always 2 workers), Mixed, YieldHeavy.
     */
    public static List<CgroupDef> spawnDiverse(Ctx ctx, List<String> names) {
        List<CgroupDef> l = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            CgroupDef d = CgroupDef.named(names.get(i));
            switch (i % 5) {
                case 0 -> d = d.workType(WorkType.cpuSpin());
                case 1 -> d = d.workType(WorkType.bursty(50, 100));
                case 2 -> d = d.workType(WorkType.ioSync()).workers(2);
                case 3 -> d = d.workType(WorkType.mixed());
                default -> d = d.workType(WorkType.yieldHeavy());
            }
            l.add(d);
        }
        return l;
    }

    // ---- the 14 canned scenarios ----

    /** 2 cgroups, default CpuSpin workers, no cpusets, full duration. */
    public static AssertResult steady(Ctx ctx) {
        return executeDefs(ctx, cgroups(2));
    }

    /** 2 cgroups pinned to LLC 0 and LLC 1; skipped below 2 LLCs. */
    public static AssertResult steadyLlc(Ctx ctx) {
        if (ctx.topology().llcs() < 2) return AssertResult.skip("steady_llc needs at least 2 LLCs, topology has " + ctx.topology().llcs());
        return executeDefs(ctx, List.of(CgroupDef.named("cg_0").cpuset(CpusetSpec.llc(0)),
                CgroupDef.named("cg_1").cpuset(CpusetSpec.llc(1))));
    }

    /** 2 cgroups × 32 Mixed workers. */
    public static AssertResult oversubscribed(Ctx ctx) {
        return executeDefs(ctx, List.of(CgroupDef.named("cg_0").workType(WorkType.mixed()).workers(32),
                CgroupDef.named("cg_1").workType(WorkType.mixed()).workers(32)));
    }

    /** Start unconstrained, apply disjoint cpusets at half time. */
    public static AssertResult cpusetApply(Ctx ctx) {
        Backdrop b = Backdrop.of(cgroups(2));
        return executeScenario(ctx, b, List.of(
                Step.of(List.of(), HoldSpec.frac(0.5)),
                Step.of(List.of(Op.setCpuset("cg_0", CpusetSpec.disjoint(0, 2)), Op.setCpuset("cg_1", CpusetSpec.disjoint(1, 2))),
                        HoldSpec.frac(0.5))), null);
    }

    /** Start with disjoint cpusets, clear them at half time. */
    public static AssertResult cpusetClear(Ctx ctx) {
        Backdrop b = Backdrop.of(List.of(CgroupDef.named("cg_0").cpuset(CpusetSpec.disjoint(0, 2)),
                CgroupDef.named("cg_1").cpuset(CpusetSpec.disjoint(1, 2))));
        return executeScenario(ctx, b, List.of(
                Step.of(List.of(), HoldSpec.frac(0.5)),
                Step.of(List.of(Op.clearCpuset("cg_0"), Op.clearCpuset("cg_1")), HoldSpec.frac(0.5))), null);
    }

    /** Three thirds: even split; cg_0 shrunk to a quarter; reversed. Needs 3 usable CPUs. */
    public static AssertResult cpusetResize(Ctx ctx) {
        List<Integer> u = new ArrayList<>(ctx.usableCpus());
        if (u.size() < 3) return AssertResult.skip("cpuset_resize needs at least 3 usable CPUs, topology has " + u.size());
        int q = Math.max(1, u.size() / 4);
        Backdrop b = Backdrop.of(List.of(CgroupDef.named("cg_0").cpuset(CpusetSpec.disjoint(0, 2)),
                CgroupDef.named("cg_1").cpuset(CpusetSpec.disjoint(1, 2))));
        return executeScenario(ctx, b, List.of(
                Step.of(List.of(), HoldSpec.frac(1.0 / 3)),
                Step.of(List.of(Op.setCpuset("cg_0", exact(u.subList(0, q))), Op.setCpuset("cg_1", exact(u.subList(q, u.size())))),
                        HoldSpec.frac(1.0 / 3)),
                Step.of(List.of(Op.setCpuset("cg_0", exact(u.subList(0, u.size() - q))), Op.setCpuset("cg_1", exact(u.subList(u.size() - q, u.size())))),
                        HoldSpec.frac(1.0 / 3))), null);
    }

    /** 2 cgroups; at half time 1 more (2 more with at least 4 usable CPUs) join for the rest. */
    public static AssertResult cgroupAdd(Ctx ctx) {
        List<CgroupDef> extra = ctx.usableCpus().size() >= 4
                ? List.of(CgroupDef.named("cg_2"), CgroupDef.named("cg_3")) : List.of(CgroupDef.named("cg_2"));
        return executeScenario(ctx, Backdrop.of(cgroups(2)), List.of(
                Step.of(List.of(), HoldSpec.frac(0.5)),
                Step.withDefs(extra, HoldSpec.frac(0.5))), null);
    }

    /**
     * 4 cgroups for the first half, then the second two are removed. The removal is the end of the
     * step that owns them (steps are bounded), so their workers are stopped and checked there.
     */
    public static AssertResult cgroupRemove(Ctx ctx) {
        return executeScenario(ctx, Backdrop.of(cgroups(2)), List.of(
                Step.withDefs(List.of(CgroupDef.named("cg_2"), CgroupDef.named("cg_3")), HoldSpec.frac(0.5)),
                Step.of(List.of(), HoldSpec.frac(0.5))), null);
    }

    /** Worker affinities re-randomised 4 times during the run. */
    public static AssertResult affinityChange(Ctx ctx) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            steps.add(Step.of(List.of(Op.setAffinity("cg_0", AffinityKind.RANDOM_SUBSET), Op.setAffinity("cg_1", AffinityKind.RANDOM_SUBSET)),
                    HoldSpec.frac(0.25)));
        }
        return executeScenario(ctx, Backdrop.of(cgroups(2)), steps, null);
    }

    /** All workers of both cgroups share one 2-CPU affinity mask (the first two usable CPUs). */
    public static AssertResult affinityPinned(Ctx ctx) {
        List<Integer> u = new ArrayList<>(ctx.usableCpus());
        AffinityKind pin = AffinityKind.exact(u.subList(0, Math.min(2, u.size())).toArray(new Integer[0]));
        return executeDefs(ctx, List.of(CgroupDef.named("cg_0").affinity(pin), CgroupDef.named("cg_1").affinity(pin)));
    }

    /** 2 cgroups plus one unconstrained host worker per CPU in the harness root cgroup. */
    public static AssertResult hostContention(Ctx ctx) {
        return executeSteps(ctx, List.of(new Step(new Step.Defs(cgroups(2)),
                List.of(Op.spawnHost(Work.of(WorkType.cpuSpin(), ctx.topology().totalCpus()))), HoldSpec.FULL)));
    }

    /** A CPU-heavy, a bursty and an IoSync cgroup. */
    public static AssertResult mixedWorkloads(Ctx ctx) {
        return executeDefs(ctx, List.of(CgroupDef.named("cg_0").workType(WorkType.cpuSpin()),
                CgroupDef.named("cg_1").workType(WorkType.bursty(50, 100)),
                CgroupDef.named("cg_2").workType(WorkType.ioSync())));
    }

    /** Workers in leaves cg_0/sub_a, cg_0/sub_b, cg_1/sub_b, cg_1/sub_a/deep (parents created by ops). */
    public static AssertResult nestedSteady(Ctx ctx) {
        return executeSteps(ctx, List.of(new Step(new Step.Defs(List.of(CgroupDef.named("cg_0/sub_a"), CgroupDef.named("cg_0/sub_b"),
                CgroupDef.named("cg_1/sub_b"), CgroupDef.named("cg_1/sub_a/deep"))),
                List.of(Op.addCgroup("cg_0"), Op.addCgroup("cg_1"), Op.addCgroup("cg_1/sub_a")), HoldSpec.FULL)));
    }

    /** Workers move sub_a → parent → sub_b → parent, a quarter of the run each. */
    public static AssertResult nestedTaskMove(Ctx ctx) {
        Backdrop b = new Backdrop(List.of(), List.of(), List.of(Op.addCgroup("cg_0"), Op.addCgroup("cg_0/sub_a"),
                Op.addCgroup("cg_0/sub_b"), Op.spawn("cg_0/sub_a", dflWl(ctx))));
        return executeScenario(ctx, b, List.of(
                Step.of(List.of(), HoldSpec.frac(0.25)),
                Step.of(List.of(Op.moveAllTasks("cg_0/sub_a", "cg_0")), HoldSpec.frac(0.25)),
                Step.of(List.of(Op.moveAllTasks("cg_0", "cg_0/sub_b")), HoldSpec.frac(0.25)),
                Step.of(List.of(Op.moveAllTasks("cg_0/sub_b", "cg_0")), HoldSpec.frac(0.25))), null);
    }

    private static CpusetSpec exact(List<Integer> cpus) {
        SortedSet<Integer> s = new TreeSet<>(cpus);
        return CpusetSpec.exact(s);
    }
}
