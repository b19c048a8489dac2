package dev.ktstr.vmm.perf;

import java.util.List;
import java.util.Objects;

/**
 * What {@link PerfMode#apply} did to a running VM.
 *
 * @param pinnedVcpus     vCPU thread ids pinned to their planned CPU
 * @param pinnedService   other QEMU thread ids moved to the service CPU
 * @param realtimeVcpus   true if vCPU threads run SCHED_FIFO 1
 * @param memory          the RAM backing and NUMA binding the VM runs with
 * @param warnings        degradations (no RT permission, hugepage fallback, busy host)
 */
public record AppliedPerf(List<Long> pinnedVcpus, List<Long> pinnedService, boolean realtimeVcpus, MemoryPlacement memory,
                          List<String> warnings) {
    public AppliedPerf {
        pinnedVcpus = List.copyOf(pinnedVcpus);
        pinnedService = List.copyOf(pinnedService);
        Objects.requireNonNull(memory, "memory");
        warnings = List.copyOf(warnings);
    }
}
