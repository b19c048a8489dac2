package dev.ktstr.vmm.perf;

import java.util.List;

/**
 * What {@link PerfMode#apply} did to a running VM.
 *
 * @param pinnedVcpus     vCPU thread ids pinned to their planned CPU
 * @param pinnedService   other QEMU thread ids moved to the service CPU
 * @param realtimeVcpus   true if vCPU threads run SCHED_FIFO 1
 * @param warnings        degradations (no RT permission, hugepage fallback, busy host)
 */
public record AppliedPerf(List<Long> pinnedVcpus, List<Long> pinnedService, boolean realtimeVcpus, List<String> warnings) {
    public AppliedPerf {
        pinnedVcpus = List.copyOf(pinnedVcpus);
        pinnedService = List.copyOf(pinnedService);
        warnings = List.copyOf(warnings);
    }
}
