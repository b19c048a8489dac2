package dev.ktstr.examples.sched;

import dev.ktstr.scenario.sched.DeclaredFlags;
import dev.ktstr.scenario.sched.Flag;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerDefinition;

/**
 * The kernel tree's {@code scx_central}: CPU 0 makes every scheduling decision and dispatches to
 * the others. Needs a second CPU to be meaningful, hence 2 cores by default.
 */
@DeclaredFlags({@Flag(name = "short-slice", args = {"-s", "1000"})})
public final class ScxCentral implements SchedulerDefinition {
    @Override
    public Scheduler scheduler() {
        return Scheduler.builder("scx_central").discover("scx_central").topology(1, 1, 2, 1).build();
    }
}
