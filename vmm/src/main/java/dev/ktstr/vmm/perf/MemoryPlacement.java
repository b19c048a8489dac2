package dev.ktstr.vmm.perf;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a performance-mode VM's RAM actually went, for the job result.
 *
 * @param backing        {@code hugetlbfs}, {@code file} or {@code anonymous} ({@link dev.ktstr.vmm.qemu.RamBacking#kind})
 * @param fallbackReason why it is not {@code hugetlbfs}, when it is not
 * @param hostNodes      host NUMA nodes each guest node's RAM is bound to (empty: unbound)
 * @param memoryMb       guest RAM size the VM booted with
 */
public record MemoryPlacement(String backing, Optional<String> fallbackReason, List<Set<Integer>> hostNodes, int memoryMb) {
    public MemoryPlacement {
        Objects.requireNonNull(backing, "backing");
        Objects.requireNonNull(fallbackReason, "fallbackReason");
        hostNodes = hostNodes.stream().map(s -> (Set<Integer>) java.util.Collections.unmodifiableSet(new TreeSet<>(s))).toList();
    }

    public boolean hugepages() {
        return backing.equals("hugetlbfs");
    }
}
