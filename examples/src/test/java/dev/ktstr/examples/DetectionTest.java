package dev.ktstr.examples;

import dev.ktstr.scenario.CgroupDef;
import dev.ktstr.scenario.CpusetSpec;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.Inherit;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.Work;
import dev.ktstr.scenario.verify.AssertDetail;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.util.List;

/** Proves the checks detect real problems: these tests pass only when the verdict is a failure of the expected kind. */
public class DetectionTest {

    /**
     * A SCHED_FIFO spinner on CPU 0, the only CPU the SCHED_NORMAL workers may use, with RT
     * throttling and the fair server off: the normal workers get no CPU at all.
     */
    @KtstrTest(llcs = 1, cores = 2, scheduler = StarvableEevdf.class, notStarved = Inherit.TRUE, expectErr = true)
    public AssertResult fifo_spinner_starves_normal_tasks(Ctx ctx) {
        AssertResult r = Scenarios.executeDefs(ctx, List.of(
                CgroupDef.named("victims").cpuset(CpusetSpec.exact(0))
                        .work(Work.of(WorkType.cpuSpin(), 2))
                        .work(Work.of(WorkType.cpuSpin(), 1).withSchedPolicy(SchedPolicy.fifo(50)))));
        // Only a starvation verdict counts as detection; any other failure would be a different bug.
        boolean starved = r.details().stream().map(AssertDetail::kind)
                .anyMatch(k -> k == DetailKind.STARVED || k == DetailKind.STUCK);
        return starved ? r : AssertResult.pass();
    }

    /** No scheduler can deliver 10^12 iterations per second per worker: must fail with the documented message. */
    @KtstrTest(llcs = 1, cores = 2, minIterationRate = 1e12, expectErr = true)
    public AssertResult impossible_iteration_rate(Ctx ctx) {
        AssertResult r = Scenarios.steady(ctx);
        boolean documented = r.details().stream()
                .anyMatch(d -> d.kind() == DetailKind.BENCHMARK && d.message().contains("iteration rate")
                        && d.message().contains("below threshold"));
        return documented ? r : AssertResult.pass();
    }
}
