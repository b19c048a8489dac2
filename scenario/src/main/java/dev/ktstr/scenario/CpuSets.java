package dev.ktstr.scenario;

import dev.ktstr.protocol.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** CPU-set helpers over a {@link Topology} (spec §2.3). Sets are ascending CPU ids. */
public final class CpuSets {
    private CpuSets() {
    }

    public static SortedSet<Integer> range(int firstInclusive, int lastInclusive) {
        SortedSet<Integer> s = new TreeSet<>();
        for (int c = firstInclusive; c <= lastInclusive; c++) s.add(c);
        return s;
    }

    public static SortedSet<Integer> allCpus(Topology t) {
        return range(0, t.totalCpus() - 1);
    }

    /** All CPUs but the highest-numbered one when there are more than 2 (kept for the root cgroup). */
    public static SortedSet<Integer> usableCpus(Topology t) {
        int n = t.totalCpus();
        return n > 2 ? range(0, n - 2) : range(0, n - 1);
    }

    public static SortedSet<Integer> llcCpus(Topology t, int llc) {
        int[] r = t.llcCpuRange(llc);
        return range(r[0], r[1]);
    }

    public static SortedSet<Integer> numaCpus(Topology t, int node) {
        int[] r = t.nodeCpuRange(node);
        return range(r[0], r[1]);
    }

    /** NUMA nodes owning at least one CPU of {@code cpus}. */
    public static SortedSet<Integer> numaNodesFor(Topology t, SortedSet<Integer> cpus) {
        SortedSet<Integer> nodes = new TreeSet<>();
        for (int c : cpus) nodes.add(t.nodeOfCpu(c));
        return nodes;
    }

    /** {@code 0-3,5,7-9}; empty string for an empty set. */
    public static String format(SortedSet<Integer> cpus) {
        return dev.ktstr.protocol.topology.CpuLists.format(cpus);
    }

    /** Parses {@link #format} output with the one CPU-list parser ({@link dev.ktstr.protocol.topology.CpuLists#parse}). */
    public static SortedSet<Integer> parse(String text) {
        if (text == null || text.isBlank()) return new TreeSet<>();
        return dev.ktstr.protocol.topology.CpuLists.parse(text);
    }
}
