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
     * Disjoint cpusets applied at half time. Not in default runs ({@code demo_}): on 6.12 under TCG
     * scx_qmap was ejected here for a runnable task stall ("watchdog failed to check in for 30 s")
     * once each CPU is saturated by one cgroup's spinners, like scx_flatcg. Run with {@code --include-ignored}.
     */
    @KtstrTest(scheduler = ScxQmap.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult demo_qmap_cpuset_apply(Ctx ctx) {
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
