package dev.ktstr.vmm.monitor;

import java.util.List;
import java.util.Optional;

/**
 * What the monitor observed over a VM's life.
 *
 * @param samples         every sample, in order (checks trim the warm-up themselves)
 * @param layout          resolved fields and absent ones with reasons; empty if it never attached
 * @param banner          the guest's linux_banner
 * @param hz              guest CONFIG_HZ the checks used
 * @param hzSource        where HZ came from
 * @param problems        what went wrong (attach failures, read errors), in order
 * @param watchdogWrites  how often the sched_ext watchdog override was (re)applied
 * @param watchdogJiffies the value read back after the last write, -1 if never written
 * @param watchdogBridgeTicks ticks on which the watchdog work's check-in stamp was refreshed
 *                        until the kernel's work ran on the new timeout (see {@link ScxWatchdog#bridge})
 * @param meanTickNs      mean host cost of one sampling tick
 * @param maxTickNs       worst host cost of one sampling tick
 */
public record MonitorReport(List<MonitorSample> samples, Optional<MonitorLayout> layout, String banner, int hz, String hzSource,
                            List<String> problems, int watchdogWrites, long watchdogJiffies, int watchdogBridgeTicks, long meanTickNs, long maxTickNs) {
    public MonitorReport {
        samples = List.copyOf(samples);
        problems = List.copyOf(problems);
    }

    /** The stall check's vCPU-preemption threshold: 10 guest ticks. */
    public long preemptionThresholdNs() {
        return 10L * (1_000_000_000L / hz);
    }
}
