package dev.ktstr.examples.sched;

import dev.ktstr.scenario.sched.DeclaredFlags;
import dev.ktstr.scenario.sched.Flag;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerDefinition;

/**
 * The kernel tree's {@code tools/sched_ext/scx_simple}: one global vtime-ordered DSQ ({@code -f}
 * switches it to FIFO). Found by binary name: {@code $KTSTR_SCHEDULER}, the kernel's {@code scx/}
 * dir, then {@code $PATH}.
 * <p>TCG on a loaded 2-CPU host can leave a vCPU unscheduled for around a second, which the monitor's
 * 5-sample stall/imbalance window reads as a stall; {@link ScxTcg#TOLERANT} widens the window.
 */
@DeclaredFlags({@Flag(name = "fifo", args = "-f")})
public final class ScxSimple implements SchedulerDefinition {
    @Override
    public Scheduler scheduler() {
        return Scheduler.builder("scx_simple").discover("scx_simple").topology(1, 1, 2, 1)
                .assertion(ScxTcg.TOLERANT).attachTimeout(ScxTcg.ATTACH).build();
    }
}
