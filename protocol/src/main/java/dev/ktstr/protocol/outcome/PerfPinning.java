package dev.ktstr.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Performance mode as applied: where each vCPU thread was pinned (read back from
 * {@code Cpus_allowed_list}) and how guest memory was backed.
 *
 * @param serviceCpu           host CPU for QEMU's non-vCPU threads
 * @param realtimeVcpus        vCPU threads run SCHED_FIFO
 * @param serviceThreadsPinned non-vCPU threads pinned to {@code serviceCpu}
 * @param hugepages            guest RAM on 2 MiB hugepages
 * @param memoryBacking        how guest RAM was backed (e.g. "hugetlbfs", "shm")
 * @param memoryFallbackReason why hugepages were not used, null when they were
 * @param memoryMb             guest RAM size
 * @param hostNodes            per guest NUMA node, the host nodes its memory was bound to
 * @param vcpus                each vCPU's pinning
 * @param warnings             what could not be applied (pinning of the monitor thread, ...)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PerfPinning(int serviceCpu, boolean realtimeVcpus, int serviceThreadsPinned, boolean hugepages,
                          String memoryBacking, String memoryFallbackReason, long memoryMb, List<List<Integer>> hostNodes,
                          List<VcpuPin> vcpus, List<String> warnings) {
    public PerfPinning {
        hostNodes = hostNodes == null ? List.of() : hostNodes.stream().map(List::copyOf).toList();
        vcpus = vcpus == null ? List.of() : List.copyOf(vcpus);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public PerfPinning withWarnings(List<String> more) {
        List<String> all = new java.util.ArrayList<>(warnings);
        all.addAll(more);
        return new PerfPinning(serviceCpu, realtimeVcpus, serviceThreadsPinned, hugepages, memoryBacking,
                memoryFallbackReason, memoryMb, hostNodes, vcpus, all);
    }

    /** One vCPU thread: its planned host CPU and the {@code Cpus_allowed_list} read back after pinning. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record VcpuPin(int vcpu, long thread, int hostCpu, String cpusAllowedList) {}
}
