package dev.ktstr.examples.monitor;

import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerDefinition;

/** The kernel tree's scx_simple, found by binary name; kept local so these tests do not depend on the scheduler suite. */
public final class MonScxSimple implements SchedulerDefinition {
    @Override
    public Scheduler scheduler() {
        return Scheduler.builder("scx_simple").discover("scx_simple").topology(1, 1, 2, 1).build();
    }
}
