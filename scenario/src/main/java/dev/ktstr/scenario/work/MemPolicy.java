package dev.ktstr.scenario.work;

import java.util.Arrays;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * NUMA memory policy the worker applies with {@code set_mempolicy} after fork. {@code DEFAULT}
 * makes no syscall. {@code nodes} is the node set (one node for PREFERRED, empty for DEFAULT/LOCAL).
 * PREFERRED_MANY needs Linux 5.15+, WEIGHTED_INTERLEAVE 6.9+.
 */
public record MemPolicy(Kind kind, SortedSet<Integer> nodes) implements java.io.Serializable {

    public enum Kind {
        DEFAULT(0), PREFERRED(1), BIND(2), INTERLEAVE(3), LOCAL(4), PREFERRED_MANY(5), WEIGHTED_INTERLEAVE(6);

        /** The {@code MPOL_*} mode constant. */
        public final int linuxMode;

        Kind(int linuxMode) {
            this.linuxMode = linuxMode;
        }
    }

    public static final MemPolicy DEFAULT = new MemPolicy(Kind.DEFAULT, new TreeSet<>());
    public static final MemPolicy LOCAL = new MemPolicy(Kind.LOCAL, new TreeSet<>());

    public MemPolicy {
        if (kind == null) throw new IllegalArgumentException("memory policy kind must be set");
        nodes = nodes == null ? new TreeSet<>() : new TreeSet<>(nodes);
        for (int n : nodes) if (n < 0) throw new IllegalArgumentException("NUMA node ids must be >= 0, got " + n);
        switch (kind) {
            case DEFAULT, LOCAL -> {
                if (!nodes.isEmpty()) throw new IllegalArgumentException(kind + " takes no nodes, got " + nodes);
            }
            case PREFERRED -> {
                if (nodes.size() != 1) throw new IllegalArgumentException("PREFERRED takes exactly one node, got " + nodes);
            }
            default -> {
                if (nodes.isEmpty()) throw new IllegalArgumentException(kind + " needs at least one node");
            }
        }
    }

    public static MemPolicy bind(Integer... nodes) { return new MemPolicy(Kind.BIND, set(nodes)); }
    public static MemPolicy preferred(int node) { return new MemPolicy(Kind.PREFERRED, set(node)); }
    public static MemPolicy interleave(Integer... nodes) { return new MemPolicy(Kind.INTERLEAVE, set(nodes)); }
    public static MemPolicy preferredMany(Integer... nodes) { return new MemPolicy(Kind.PREFERRED_MANY, set(nodes)); }
    public static MemPolicy weightedInterleave(Integer... nodes) { return new MemPolicy(Kind.WEIGHTED_INTERLEAVE, set(nodes)); }

    private static SortedSet<Integer> set(Integer... nodes) {
        return new TreeSet<>(Arrays.asList(nodes));
    }
}
