package dev.ktstr.examples.monitor;

import dev.ktstr.examples.sched.Faults;
import dev.ktstr.scenario.CgroupDef;
import dev.ktstr.scenario.CpusetSpec;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.Inherit;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.Work;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.work.WorkType;
import java.util.List;

/**
 * The host-side monitor end to end: it reads each guest CPU's run queue from guest RAM while the
 * test runs and judges the sched_ext scheduler on it. Its findings are made on the host after the
 * guest has answered, so a guest body cannot see them; the bodies below only shape the load.
 */
public class HostMonitorTest {

    /**
     * Two spinners per CPU under scx_simple: the sidecar's {@code host_monitor} metrics show each
     * CPU's nr_running near 0 before the scenario and near 2 during it, and {@code monitor} holds
     * the checks' summary.
     */
    @KtstrTest(llcs = 1, cores = 2, scheduler = MonScxSimple.class, durationS = 4, workersPerCgroup = 4)
    public AssertResult simple_monitor_sees_load(Ctx ctx) {
        return Scenarios.executeDefs(ctx, List.of(CgroupDef.named("spin").work(Work.of(WorkType.cpuSpin(), 4))));
    }

    /**
     * Eight spinners confined to CPU 0 of four: CPU 0 holds 8 runnable tasks while the others are
     * idle, an imbalance ratio of about 8 against the default limit of 4, so the monitor must fail
     * the run. The body passes whatever the in-guest checks say (eight tasks on one CPU may look
     * starved under TCG), so the only failure that expectErr can turn into a pass is the monitor's.
     */
    @KtstrTest(llcs = 1, cores = 4, scheduler = MonScxSimple.class, durationS = 4, expectErr = true)
    public AssertResult pinned_workers_fail_imbalance(Ctx ctx) {
        pinnedToCpu0(ctx);
        return AssertResult.pass();
    }

    /**
     * The same load with maxImbalanceRatio = 100 (the strict run measured up to 36 runnable tasks on
     * CPU 0 while the workers forked): the monitor passes it. Under TCG on a loaded 2-CPU host the
     * default 4 s watchdog ejected scx_simple ("watchdog failed to check in for 4.001s") and the
     * stall check fired on idle-looking CPUs around attach, so this test, which is about the ratio,
     * widens the watchdog and turns the stall check off; in-guest findings still count.
     */
    @KtstrTest(llcs = 1, cores = 4, scheduler = MonScxSimple.class, durationS = 4, maxImbalanceRatio = 100.0, maxGapMs = 10_000,
            watchdogTimeoutS = 30, failOnStall = Inherit.FALSE)
    public AssertResult pinned_workers_lenient_imbalance(Ctx ctx) {
        return pinnedToCpu0(ctx);
    }

    private static AssertResult pinnedToCpu0(Ctx ctx) {
        return Scenarios.executeDefs(ctx, List.of(
                CgroupDef.named("pinned").cpuset(CpusetSpec.exact(0)).work(Work.of(WorkType.cpuSpin(), 8))));
    }

    /**
     * {@code scx_qmap -t 100} never dispatches every 100th user-thread enqueue; the host monitor
     * overrides the kernel's watchdog timeout with watchdogTimeoutS, so the ejection comes about
     * 2 s after attach here and about 10 s in the next test (the sidecar's
     * {@code host_monitor.scx_enabled_for_ms} measures it).
     */
    @KtstrTest(llcs = 1, cores = 2, scheduler = MonScxQmap.class, extraSchedArgs = {"-t", "100"}, watchdogTimeoutS = 2,
            durationS = 16, expectErr = true)
    public AssertResult qmap_stall_watchdog_2s(Ctx ctx) {
        return Faults.onlyIfSchedulerDied(ctx, Scenarios.steady(ctx));
    }

    @KtstrTest(llcs = 1, cores = 2, scheduler = MonScxQmap.class, extraSchedArgs = {"-t", "100"}, watchdogTimeoutS = 10,
            durationS = 16, expectErr = true)
    public AssertResult qmap_stall_watchdog_10s(Ctx ctx) {
        return Faults.onlyIfSchedulerDied(ctx, Scenarios.steady(ctx));
    }


    /**
     * Performance mode on a 1-vCPU guest: the runner reserves host CPUs, pins the vCPU thread and
     * fails the run if its Cpus_allowed_list is not the planned CPU afterwards (recorded in the
     * sidecar's {@code performance_mode} metrics). A host that cannot spare the CPUs skips it.
     */
    @KtstrTest(llcs = 1, cores = 1, threads = 1, performanceMode = true, durationS = 3)
    public AssertResult perf_mode_one_vcpu_pinned(Ctx ctx) {
        // One worker: on a single pinned vCPU under TCG every extra worker JVM start costs seconds.
        return Scenarios.executeDefs(ctx, java.util.List.of(dev.ktstr.scenario.CgroupDef.named("cg_0").workers(1)));
    }
}
