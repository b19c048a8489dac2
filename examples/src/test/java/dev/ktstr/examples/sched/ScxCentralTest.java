package dev.ktstr.examples.sched;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.verify.AssertResult;

/** Canned scenarios under the real {@code scx_central} BPF scheduler (2 vCPUs: CPU 0 dispatches for CPU 1). */
public class ScxCentralTest {

    @KtstrTest(scheduler = ScxCentral.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult central_steady(Ctx ctx) {
        return Scenarios.steady(ctx);
    }

    /**
     * Disjoint cpusets applied at half time, on 3 vCPUs (one CPU per cgroup, the highest kept for the
     * root cgroup as the spec does): the scheduler must honour the new masks.
     */
    @KtstrTest(scheduler = ScxCentral.class, cores = 3, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult central_cpuset_apply(Ctx ctx) {
        return Scenarios.cpusetApply(ctx);
    }

    /** A cgroup created and populated mid-run: its tasks must be picked up by the BPF scheduler. */
    @KtstrTest(scheduler = ScxCentral.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult central_cgroup_add(Ctx ctx) {
        return Scenarios.cgroupAdd(ctx);
    }
}
