package dev.ktstr.examples.sched;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import java.time.Duration;

/** The verdict pattern of tests that inject a scheduler fault and expect the scheduler to die ({@code expectErr}). */
public final class Faults {
    private Faults() {}

    /**
     * The scenario's result when the scheduler died, a pass otherwise (which {@code expectErr} turns
     * into a failure). The agent adds SCHEDULER_DIED (with the log tail) when it sees the death after
     * the body. A failure of another kind first (an injected stall that caught one of the harness's
     * own cgroup writes) counts only if the scheduler then dies within the test's duration + 15 s.
     */
    public static AssertResult onlyIfSchedulerDied(Ctx ctx, AssertResult r) {
        if (!r.details(DetailKind.SCHEDULER_DIED).isEmpty()) return r;
        return ctx.awaitSchedulerGone(ctx.duration().plusSeconds(15)) ? r : AssertResult.pass();
    }
}
