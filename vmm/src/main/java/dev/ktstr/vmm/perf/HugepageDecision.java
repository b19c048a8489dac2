package dev.ktstr.vmm.perf;

import dev.ktstr.vmm.qemu.RamBacking;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/** Whether a performance-mode VM's RAM goes on 2 MiB hugepages, decided from {@link HostMemory} alone. */
public sealed interface HugepageDecision {
    /** Put guest RAM in a file on {@code mount}; it needs {@code pages} 2 MiB pages. */
    record Use(Path mount, long pages) implements HugepageDecision {
        public Use {
            Objects.requireNonNull(mount, "mount");
        }
    }

    /** Normal pages; {@code reason} says what is missing and how to provide it. */
    record Fallback(String reason) implements HugepageDecision {
        public Fallback {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * @param memoryMb   guest RAM, already whole 2 MiB pages per guest node ({@link RamBacking.Hugetlbfs#alignMb})
     * @param hostNodes  host nodes each guest node's RAM is bound to (index = guest node)
     */
    static HugepageDecision decide(int memoryMb, List<Set<Integer>> hostNodes, HostMemory mem) {
        long need = memoryMb / 2L;
        long avail = mem.availableHugepages2M();
        String poolFile = mem.twoMegIsDefault() ? "/proc/sys/vm/nr_hugepages" : "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages";
        if (avail < need) {
            long target = mem.totalHugepages2M() + (need - avail);
            return new Fallback(avail + " free 2 MiB hugepages, " + need + " needed for " + memoryMb + " MB"
                    + (mem.hugetlbfsMount().isEmpty() ? ", and no hugetlbfs mount" : "")
                    + " (fix: echo " + target + " > " + poolFile
                    + (mem.hugetlbfsMount().isEmpty() ? "; mount -t hugetlbfs -o pagesize=2M none /dev/hugepages" : "") + ")");
        }
        if (mem.hugetlbfsMount().isEmpty()) {
            return new Fallback(avail + " free 2 MiB hugepages but no writable 2 MiB hugetlbfs mount"
                    + (mem.mountNote().isEmpty() ? "" : " (" + mem.mountNote() + ")")
                    + " (fix: mkdir -p /dev/hugepages; mount -t hugetlbfs -o pagesize=2M none /dev/hugepages)");
        }
        // A guest node bound to exactly one host node needs its pages there: the pool total can
        // hide an empty node, and prealloc on it would fail QEMU's start.
        if (!mem.freeHugepages2MByNode().isEmpty()) {
            Map<Integer, Long> needByNode = new TreeMap<>();
            int nodes = hostNodes.size();
            for (int g = 0; g < nodes; g++) {
                if (hostNodes.get(g).size() != 1) continue;
                long pages = (memoryMb / nodes + (g < memoryMb % nodes ? 1 : 0)) / 2L;
                needByNode.merge(hostNodes.get(g).iterator().next(), pages, Long::sum);
            }
            for (var e : needByNode.entrySet()) {
                long free = mem.freeHugepages2MByNode().getOrDefault(e.getKey(), 0L);
                if (free < e.getValue()) {
                    return new Fallback("host node " + e.getKey() + " has " + free + " free 2 MiB hugepages, the guest RAM bound there needs "
                            + e.getValue() + " (fix: raise /sys/devices/system/node/node" + e.getKey()
                            + "/hugepages/hugepages-2048kB/nr_hugepages by " + (e.getValue() - free) + ")");
                }
            }
        }
        return new Use(mem.hugetlbfsMount().get(), need);
    }
}
