package dev.ktstr.examples.sched;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.verify.AssertResult;

/** Canned scenarios under the real {@code scx_qmap} BPF scheduler (2 vCPUs, 2 s each). */
public class ScxQmapTest {

    @KtstrTest(scheduler = ScxQmap.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult qmap_steady(Ctx ctx) {
        return Scenarios.steady(ctx);
    }

    /**
     * Disjoint cpusets applied at half time, on 3 vCPUs: each cgroup gets one CPU and the spec keeps the
     * highest CPU for the root cgroup. On 2 vCPUs there is no spare CPU and scx_qmap is ejected for a
     * runnable task stall: it dispatches a task allowed on a single CPU straight to that CPU's local
     * DSQ, so with pinned spinners on every CPU the local DSQs never drain, ops.dispatch() is never
     * called, and tasks queued in its FIFOs (the kernel's own watchdog kworker) never run. That is
     * scx_qmap's design, found by this test, not a harness flake.
     */
    @KtstrTest(scheduler = ScxQmap.class, cores = 3, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult qmap_cpuset_apply(Ctx ctx) {
        return Scenarios.cpusetApply(ctx);
    }

    /** A cgroup created and populated mid-run: its tasks must be picked up by the BPF scheduler. */
    @KtstrTest(scheduler = ScxQmap.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult qmap_cgroup_add(Ctx ctx) {
        return Scenarios.cgroupAdd(ctx);
    }

    /** The batched-dispatch path with nice -20 boosting ({@code -b 8 -H}), exercising declared flags. */
    @KtstrTest(scheduler = ScxQmap.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S, requiredFlags = {"batch", "highpri-boost"})
    public AssertResult qmap_batch_boost_steady(Ctx ctx) {
        return Scenarios.steady(ctx);
    }
}
