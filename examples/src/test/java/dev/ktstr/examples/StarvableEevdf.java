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
    /**
     * Switches the fair server off on every CPU, or refuses to start: on a 6.12+ kernel built without
     * CONFIG_SCHED_DEBUG the knob does not exist, fair tasks keep 5 % of every CPU, and a starvation
     * test would pass or fail for a reason that has nothing to do with starvation.
     */
    static final String FAIR_SERVER_OFF = "d=/sys/kernel/debug/sched/fair_server; "
            + "if [ -d \"$d\" ]; then for f in \"$d\"/cpu*/runtime; do echo 0 > \"$f\" || exit 1; done; exit 0; fi; "
            + "v=$(uname -r | sed 's/^\\([0-9]*\\)\\.\\([0-9]*\\).*/\\1 \\2/'); set -- $v; "
            + "if [ \"$1\" -gt 6 ] || { [ \"$1\" -eq 6 ] && [ \"$2\" -ge 12 ]; }; then "
            + "echo \"eevdf-starvable: kernel $(uname -r) has the fair deadline server but no $d to switch it off "
            + "(build it with CONFIG_SCHED_DEBUG=y, as ktstr kernel build does): fair tasks keep 5% of every CPU and cannot be starved\" >&2; "
            + "exit 1; fi";

    @Override
    public Scheduler scheduler() {
        return Scheduler.builder("eevdf-starvable")
                .kernelBuiltin(List.of(
                        "echo -1 > /proc/sys/kernel/sched_rt_runtime_us",
                        FAIR_SERVER_OFF),
                        List.of("echo 950000 > /proc/sys/kernel/sched_rt_runtime_us"))
                .build();
    }
}
