package dev.ktstr.examples;

import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerDefinition;
import java.util.List;

/**
 * EEVDF with the kernel's protections for fair tasks switched off: RT throttling
 * ({@code sched_rt_runtime_us = -1}) and, since 6.12, the fair deadline server (debugfs
 * {@code sched/fair_server/cpu*}/runtime = 0). Without this a SCHED_FIFO spinner cannot starve
 * SCHED_NORMAL tasks, and a starvation detector would have nothing real to detect.
 */
public final class StarvableEevdf implements SchedulerDefinition {
    @Override
    public Scheduler scheduler() {
        return Scheduler.builder("eevdf-starvable")
                .kernelBuiltin(List.of(
                        "echo -1 > /proc/sys/kernel/sched_rt_runtime_us",
                        "for f in /sys/kernel/debug/sched/fair_server/cpu*/runtime; do [ -e \"$f\" ] && echo 0 > \"$f\"; done; true"),
                        List.of("echo 950000 > /proc/sys/kernel/sched_rt_runtime_us"))
                .build();
    }
}
