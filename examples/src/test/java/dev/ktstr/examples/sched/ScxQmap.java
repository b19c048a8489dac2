package dev.ktstr.examples.sched;

import dev.ktstr.scenario.sched.DeclaredFlags;
import dev.ktstr.scenario.sched.Flag;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerDefinition;

/**
 * The kernel tree's {@code scx_qmap}: five weight-indexed FIFO queues. Its fault-injection options
 * ({@code -t}, {@code -e}, {@code -l}) are deliberately not flags, so gauntlet profiles never break
 * it; tests that want a fault pass them as {@code extraSchedArgs}. {@code -H} only acts on batched
 * dispatch ({@code -b}), hence the {@code requires}.
 * <p>TCG on a loaded 2-CPU host can leave a vCPU unscheduled for around a second, which the monitor's
 * 5-sample stall/imbalance window reads as a stall; {@link ScxTcg#TOLERANT} widens the window.
 */
@DeclaredFlags({
        @Flag(name = "batch", args = {"-b", "8"}),
        @Flag(name = "highpri-boost", args = "-H", requires = "batch"),
        @Flag(name = "short-slice", args = {"-s", "1000"})})
public final class ScxQmap implements SchedulerDefinition {
    @Override
    public Scheduler scheduler() {
        return Scheduler.builder("scx_qmap").discover("scx_qmap").topology(1, 1, 2, 1)
                .assertion(ScxTcg.TOLERANT).attachTimeout(ScxTcg.ATTACH).build();
    }
}
