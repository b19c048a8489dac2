package dev.ktstr.examples.sched;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.verify.AssertResult;

/** Canned scenarios under the real {@code scx_flatcg} BPF scheduler (2 vCPUs, 2 s each). */
public class ScxFlatcgTest {

    @KtstrTest(scheduler = ScxFlatcg.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult flatcg_steady(Ctx ctx) {
        return Scenarios.steady(ctx);
    }

    /**
     * Disjoint cpusets applied at half time, on 3 vCPUs: each cgroup gets one CPU and the spec keeps the
     * highest CPU for the root cgroup. On 2 vCPUs there is no spare CPU and scx_flatcg is ejected for a
     * runnable task stall: tasks whose cpumask is not every CPU go to its fallback DSQ, which
     * fcg_dispatch() consumes before any cgroup queue, so pinned spinners on every CPU shut out the
     * root cgroup's tasks (the kernel's watchdog kworker among them). scx_flatcg's design, found by
     * this test.
     */
    @KtstrTest(scheduler = ScxFlatcg.class, cores = 3, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult flatcg_cpuset_apply(Ctx ctx) {
        return Scenarios.cpusetApply(ctx);
    }

    /** A cgroup created and populated mid-run: its tasks must be picked up by the BPF scheduler. */
    @KtstrTest(scheduler = ScxFlatcg.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult flatcg_cgroup_add(Ctx ctx) {
        return Scenarios.cgroupAdd(ctx);
    }

    /** Workers in nested leaves: flatcg's hierarchical weight flattening is what is under test. */
    @KtstrTest(scheduler = ScxFlatcg.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult flatcg_nested_steady(Ctx ctx) {
        return Scenarios.nestedSteady(ctx);
    }
}
