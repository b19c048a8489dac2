package dev.ktstr.scenario.work;

import java.util.Arrays;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * How a worker's CPU affinity is derived from its cgroup's cpuset (or all CPUs when the cgroup has
 * none). Resolved by the executor into a concrete CPU set per worker
 * ({@link dev.ktstr.scenario.runtime.WorkerSpec#affinity()}):
 * INHERIT = no affinity call; RANDOM_SUBSET = random max(1, |pool|/2) CPUs of the pool;
 * LLC_ALIGNED = the LLC overlapping the pool most, intersected with the pool; CROSS_CGROUP = every
 * CPU of the topology (ignores the cpuset on purpose); SINGLE_CPU = lowest CPU of the pool;
 * EXACT = {@code cpus} ∩ pool (no affinity call when empty).
 */
public record AffinityKind(Kind kind, SortedSet<Integer> cpus) {

    public enum Kind { INHERIT, RANDOM_SUBSET, LLC_ALIGNED, CROSS_CGROUP, SINGLE_CPU, EXACT }

    public static final AffinityKind INHERIT = new AffinityKind(Kind.INHERIT, null);
    public static final AffinityKind RANDOM_SUBSET = new AffinityKind(Kind.RANDOM_SUBSET, null);
    public static final AffinityKind LLC_ALIGNED = new AffinityKind(Kind.LLC_ALIGNED, null);
    public static final AffinityKind CROSS_CGROUP = new AffinityKind(Kind.CROSS_CGROUP, null);
    public static final AffinityKind SINGLE_CPU = new AffinityKind(Kind.SINGLE_CPU, null);

    public AffinityKind {
        if (kind == null) throw new IllegalArgumentException("affinity kind must be set");
        cpus = cpus == null ? new TreeSet<>() : new TreeSet<>(cpus);
        if (kind != Kind.EXACT && !cpus.isEmpty()) throw new IllegalArgumentException(kind + " takes no CPU list");
        if (kind == Kind.EXACT && cpus.isEmpty()) throw new IllegalArgumentException("EXACT affinity needs at least one CPU");
    }

    public static AffinityKind exact(Integer... cpus) {
        return new AffinityKind(Kind.EXACT, new TreeSet<>(Arrays.asList(cpus)));
    }
}
