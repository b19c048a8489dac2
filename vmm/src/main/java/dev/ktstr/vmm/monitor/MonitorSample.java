package dev.ktstr.vmm.monitor;

import java.util.List;

/**
 * One sampling tick over all guest CPUs.
 *
 * @param index      0-based tick number
 * @param elapsedMs  ms since the monitor attached
 * @param costNs     host time the tick took to read guest memory and vCPU times
 */
public record MonitorSample(int index, long elapsedMs, long costNs, List<CpuSnapshot> cpus) {
    public MonitorSample {
        cpus = List.copyOf(cpus);
    }
}
