package dev.ktstr.examples.sched;

import dev.ktstr.scenario.CgroupDef;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.work.WorkType;
import java.util.List;

/**
 * Real scheduler faults the harness must report as a dead or ejected scheduler. Each test passes
 * only if the scheduler dies ({@link Faults#onlyIfSchedulerDied}); a failure of any other kind is turned
 * into a pass so that the expected-error inversion makes the test fail.
 */
public class SchedulerFaultsTest {

    /**
     * {@code scx_qmap -t 100} never dispatches every 100th user-thread enqueue; the sched_ext
     * watchdog (qmap's own {@code timeout_ms} = 5 s; this test sets no {@code watchdogTimeoutS})
     * ejects the scheduler. Runs 8 s so the ejection lands inside the scenario.
     */
    @KtstrTest(scheduler = ScxQmap.class, extraSchedArgs = {"-t", "100"}, durationS = 8, expectErr = true)
    public AssertResult qmap_stalled_task_ejected(Ctx ctx) {
        return Faults.onlyIfSchedulerDied(ctx, Scenarios.steady(ctx));
    }

    /**
     * {@code scx_qmap -e 5000} calls scx_bpf_error() after 5000 enqueues (after attach: 1000 can fire
     * inside the kernel's enable path, where one TCG run oopsed): the kernel ejects it with an exit
     * message. The enqueues come from a PipeIo pair (every exchange wakes the partner): spinners
     * alone enqueue too rarely (about 1 350 in 4 s with worker threads), and the harness must not
     * rely on its own JVM starts to trigger a scheduler's fault.
     */
    @KtstrTest(scheduler = ScxQmap.class, extraSchedArgs = {"-e", "5000"}, durationS = 4, expectErr = true)
    public AssertResult qmap_bpf_error_ejected(Ctx ctx) {
        return Faults.onlyIfSchedulerDied(ctx, Scenarios.executeDefs(ctx, List.of(
                CgroupDef.named("cg_0").workers(2).workType(WorkType.pipeIo(64)))));
    }

    /**
     * The same fault, asserted by its message: sched_ext's account of the exit is
     * {@code scx_bpf_error: test triggering error} (the kernel's reason and qmap's scx_bpf_error
     * text). A scheduler that failed with another message, or never attached, fails this test.
     * (A scheduler that cannot load, e.g. scx_simple with an unknown option, fails an expectErr
     * test: VerdictTest checks that on the real outcome recorded from such a run.)
     */
    @KtstrTest(scheduler = ScxQmap.class, extraSchedArgs = {"-e", "5000"}, durationS = 4,
            expectSchedErrorContains = "test triggering error", expectSchedErrorMatches = "^scx_bpf_error: ")
    public AssertResult qmap_bpf_error_message_matches(Ctx ctx) {
        return Scenarios.executeDefs(ctx, List.of(CgroupDef.named("cg_0").workers(2).workType(WorkType.pipeIo(64))));
    }

}
