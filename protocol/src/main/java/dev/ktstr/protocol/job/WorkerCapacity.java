package dev.ktstr.protocol.job;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.Objects;
import java.util.Set;

/**
 * What a worker host offers. The coordinator places a job only where a whole VM fits:
 * {@code vcpus <= hostCpus * overcommit} (overcommit only under TCG and never for performance
 * mode) and {@code memoryMb <= memoryMb}; {@code slots} caps concurrent VMs.
 *
 * @param accelerator {@code kvm} or {@code tcg}
 * @param cachedKernels image sha256 of kernels already in the worker's artifact cache
 */
public record WorkerCapacity(
        String nodeId,
        int hostCpus,
        int llcs,
        int numaNodes,
        long memoryMb,
        String accelerator,
        Set<String> cachedKernels,
        boolean performanceModeCapable,
        int slots) implements CborSerializable {

    public WorkerCapacity {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(accelerator, "accelerator");
        cachedKernels = cachedKernels == null ? Set.of() : Set.copyOf(cachedKernels);
        if (hostCpus <= 0) throw new IllegalArgumentException("worker " + nodeId + ": hostCpus must be > 0");
        if (memoryMb <= 0) throw new IllegalArgumentException("worker " + nodeId + ": memoryMb must be > 0");
        if (slots <= 0) throw new IllegalArgumentException("worker " + nodeId + ": slots must be > 0, got " + slots);
    }

    public WorkerCapacity withCachedKernels(Set<String> kernels) {
        return new WorkerCapacity(nodeId, hostCpus, llcs, numaNodes, memoryMb, accelerator, kernels, performanceModeCapable, slots);
    }

    @JsonIgnore
    public boolean isTcg() {
        return "tcg".equals(accelerator);
    }
}
