package dev.ktstr.examples;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.verify.AssertResult;

/** The canned scenarios under the kernel's default scheduler. */
public class CannedScenariosTest {

    @KtstrTest(llcs = 1, cores = 2)
    public AssertResult steady(Ctx ctx) {
        return Scenarios.steady(ctx);
    }

    @KtstrTest(llcs = 2, cores = 2)
    public AssertResult cpuset_apply(Ctx ctx) {
        return Scenarios.cpusetApply(ctx);
    }

    @KtstrTest(llcs = 1, cores = 2)
    public AssertResult cgroup_add(Ctx ctx) {
        return Scenarios.cgroupAdd(ctx);
    }

    @KtstrTest(llcs = 1, cores = 2)
    public AssertResult nested_steady(Ctx ctx) {
        return Scenarios.nestedSteady(ctx);
    }

    @KtstrTest(llcs = 1, cores = 2)
    public AssertResult mixed_workloads(Ctx ctx) {
        return Scenarios.mixedWorkloads(ctx);
    }
}
