package dev.ktstr.scenario.sched;

/** The kernel's default scheduler (the baseline; no scheduler process). The annotation default. */
public final class Eevdf implements SchedulerDefinition {
    @Override
    public Scheduler scheduler() {
        return Scheduler.EEVDF;
    }
}
