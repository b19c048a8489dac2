package dev.ktstr.examples.sched;

import dev.ktstr.scenario.sched.DeclaredFlags;
import dev.ktstr.scenario.sched.Flag;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerDefinition;

/**
 * The kernel tree's {@code scx_flatcg}: flattens the cgroup hierarchy into one level of weighted
 * vtime shares, the scheduler nested-cgroup scenarios exist for. {@code -f} drops the weighting.
 * <p>TCG on a loaded 2-CPU host can leave a vCPU unscheduled for around a second, which the monitor's
 * 5-sample stall/imbalance window reads as a stall; {@link ScxTcg#TOLERANT} widens the window.
 */
@DeclaredFlags({
        @Flag(name = "fifo", args = "-f"),
        @Flag(name = "short-slice", args = {"-s", "1000"})})
public final class ScxFlatcg implements SchedulerDefinition {
    @Override
    public Scheduler scheduler() {
        return Scheduler.builder("scx_flatcg").discover("scx_flatcg").topology(1, 1, 2, 1)
                .assertion(ScxTcg.TOLERANT).attachTimeout(ScxTcg.ATTACH).build();
    }
}
