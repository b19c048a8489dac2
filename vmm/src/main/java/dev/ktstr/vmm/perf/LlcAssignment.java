package dev.ktstr.vmm.perf;

import java.util.List;

/** Virtual LLC {@code virtualLlc} runs on host LLC {@code hostLlc}; its vCPUs on {@code hostCpus} (one each, in vCPU order). */
public record LlcAssignment(int virtualLlc, int hostLlc, List<Integer> hostCpus) {
    public LlcAssignment {
        hostCpus = List.copyOf(hostCpus);
    }
}
