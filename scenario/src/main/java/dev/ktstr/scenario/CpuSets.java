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
        List<String> parts = new ArrayList<>();
        Integer start = null;
        Integer prev = null;
        for (int c : cpus) {
            if (start == null) {
                start = c;
            } else if (c != prev + 1) {
                parts.add(start.equals(prev) ? start.toString() : start + "-" + prev);
                start = c;
            }
            prev = c;
        }
        if (start != null) parts.add(start.equals(prev) ? start.toString() : start + "-" + prev);
        return String.join(",", parts);
    }

    /** Parses {@link #format} output. */
    public static SortedSet<Integer> parse(String text) {
        SortedSet<Integer> s = new TreeSet<>();
        if (text == null || text.isBlank()) return s;
        for (String part : text.trim().split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            try {
                if (dash < 0) s.add(Integer.parseInt(p));
                else s.addAll(range(Integer.parseInt(p.substring(0, dash)), Integer.parseInt(p.substring(dash + 1))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed cpu list '" + text + "' (expected e.g. 0-3,5)", e);
            }
        }
        return s;
    }
}
