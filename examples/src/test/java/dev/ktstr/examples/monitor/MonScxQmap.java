package dev.ktstr.examples.monitor;

import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerDefinition;

/** The kernel tree's scx_qmap (its own ops.timeout_ms is 5 s), found by binary name. */
public final class MonScxQmap implements SchedulerDefinition {
    @Override
    public Scheduler scheduler() {
        return Scheduler.builder("scx_qmap").discover("scx_qmap").topology(1, 1, 2, 1).build();
    }
}
