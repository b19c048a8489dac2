package dev.ktstr.examples.sched;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.verify.AssertResult;

/**
 * Canned scenarios under the real {@code scx_central} BPF scheduler. On 6.12 the kernel runs
 * ops.init() on its own unbound RT helper kthread ({@code sched_ext_ops_helper}), and scx_central
 * fails with "init from non-central CPU" whenever that kthread is not on CPU 0 (about half the runs
 * on 2 vCPUs). With one vCPU the helper can only be on CPU 0, so the CI tests use one; the cpuset
 * split needs two and is a {@code demo_} test (run with {@code --include-ignored}).
 */
public class ScxCentralTest {

    @KtstrTest(scheduler = ScxCentral.class, cores = 1, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult central_steady(Ctx ctx) {
        return Scenarios.steady(ctx);
    }

    /** Disjoint cpusets applied at half time: the scheduler must honour the new masks. */
    @KtstrTest(scheduler = ScxCentral.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult demo_central_cpuset_apply(Ctx ctx) {
        return Scenarios.cpusetApply(ctx);
    }

    /** A cgroup created and populated mid-run: its tasks must be picked up by the BPF scheduler. */
    @KtstrTest(scheduler = ScxCentral.class, cores = 1, watchdogTimeoutS = ScxTcg.WATCHDOG_S)
    public AssertResult central_cgroup_add(Ctx ctx) {
        return Scenarios.cgroupAdd(ctx);
    }
}
