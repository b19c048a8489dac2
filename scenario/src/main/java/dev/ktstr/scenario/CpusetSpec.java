package dev.ktstr.scenario;

import dev.ktstr.protocol.topology.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A cgroup's CPU set, resolved against the topology at apply time (spec §2.3). Fractional specs
 * (Range, Disjoint, Overlap) slice the usable CPUs U ({@link CpuSets#usableCpus}).
 * {@link #resolve} throws {@link InvalidCpusetException} for every invalid case.
 */
public sealed interface CpusetSpec {

    /** All CPUs of LLC {@code index} (out of range: clamped to the last LLC, with a warning). */
    record Llc(int index) implements CpusetSpec {}

    /** All CPUs of NUMA node {@code node} (out of range: clamped to the last node, with a warning). */
    record Numa(int node) implements CpusetSpec {}

    /** {@code U[floor(len·startFrac) .. floor(len·endFrac))}. */
    record Range(double startFrac, double endFrac) implements CpusetSpec {}

    /** Partition {@code index} of {@code of} equal chunks of U; the last takes the remainder. */
    record Disjoint(int index, int of) implements CpusetSpec {}

    /** Like Disjoint but each chunk extends by {@code floor(chunk·frac)} into its neighbours. */
    record Overlap(int index, int of, double frac) implements CpusetSpec {}

    /** Exactly these CPUs (non-empty, within the topology). */
    record Exact(SortedSet<Integer> cpus) implements CpusetSpec {
        public Exact {
            cpus = cpus == null ? new TreeSet<>() : new TreeSet<>(cpus);
        }
    }

    static CpusetSpec llc(int index) { return new Llc(index); }
    static CpusetSpec numa(int node) { return new Numa(node); }
    static CpusetSpec range(double startFrac, double endFrac) { return new Range(startFrac, endFrac); }
    static CpusetSpec disjoint(int index, int of) { return new Disjoint(index, of); }
    static CpusetSpec overlap(int index, int of, double frac) { return new Overlap(index, of, frac); }
    static CpusetSpec exact(Integer... cpus) { return new Exact(new TreeSet<>(Arrays.asList(cpus))); }
    static CpusetSpec exact(SortedSet<Integer> cpus) { return new Exact(cpus); }

    /** Resolves without reporting clamping warnings. */
    default SortedSet<Integer> resolve(Topology t) {
        return resolve(t, w -> { });
    }

    /** The concrete CPU set; {@code warnings} receives clamping notices. */
    default SortedSet<Integer> resolve(Topology t, Consumer<String> warnings) {
        List<Integer> u = new ArrayList<>(CpuSets.usableCpus(t));
        int len = u.size();
        if (this instanceof Llc l) {
            if (l.index() < 0) throw new InvalidCpusetException("Llc index must be >= 0, got " + l.index());
            int i = l.index();
            if (i >= t.llcs()) {
                warnings.accept("Llc(" + i + ") out of range for " + t.llcs() + " LLCs; using LLC " + (t.llcs() - 1));
                i = t.llcs() - 1;
            }
            return CpuSets.llcCpus(t, i);
        }
        if (this instanceof Numa n) {
            if (n.node() < 0) throw new InvalidCpusetException("Numa node must be >= 0, got " + n.node());
            int i = n.node();
            if (i >= t.numaNodes()) {
                warnings.accept("Numa(" + i + ") out of range for " + t.numaNodes() + " nodes; using node " + (t.numaNodes() - 1));
                i = t.numaNodes() - 1;
            }
            return CpuSets.numaCpus(t, i);
        }
        if (this instanceof Range r) {
            double s = r.startFrac(), e = r.endFrac();
            if (!Double.isFinite(s) || !Double.isFinite(e) || s < 0 || e > 1 || s >= e) {
                throw new InvalidCpusetException("Range fractions must be finite with 0 <= start < end <= 1, got " + s + ".." + e);
            }
            int from = (int) Math.floor(len * s), to = (int) Math.floor(len * e);
            SortedSet<Integer> out = new TreeSet<>(u.subList(from, to));
            if (out.isEmpty()) throw new InvalidCpusetException("Range " + s + ".." + e + " of " + len + " usable CPUs is empty; widen the range or use a bigger topology");
            return out;
        }
        if (this instanceof Disjoint d) {
            checkPartition(d.index(), d.of(), len);
            int chunk = len / d.of();
            int from = d.index() * chunk;
            int to = d.index() == d.of() - 1 ? len : from + chunk;
            return new TreeSet<>(u.subList(from, to));
        }
        if (this instanceof Overlap o) {
            checkPartition(o.index(), o.of(), len);
            if (!Double.isFinite(o.frac()) || o.frac() < 0 || o.frac() > 1) {
                throw new InvalidCpusetException("Overlap frac must be finite in [0,1], got " + o.frac());
            }
            int chunk = len / o.of();
            int overlap = (int) Math.floor(chunk * o.frac());
            int from = o.index() == 0 ? 0 : o.index() * chunk - overlap;
            int to = o.index() == o.of() - 1 ? len : Math.min((o.index() + 1) * chunk + overlap, len);
            return new TreeSet<>(u.subList(from, to));
        }
        Exact x = (Exact) this;
        if (x.cpus().isEmpty()) throw new InvalidCpusetException("Exact cpuset must not be empty");
        for (int c : x.cpus()) {
            if (c < 0 || c >= t.totalCpus()) {
                throw new InvalidCpusetException("Exact cpuset CPU " + c + " is outside topology " + t.render() + " (CPUs 0-" + (t.totalCpus() - 1) + ")");
            }
        }
        return new TreeSet<>(x.cpus());
    }

    private static void checkPartition(int index, int of, int len) {
        if (of <= 0) throw new InvalidCpusetException("partition count 'of' must be > 0, got " + of);
        if (index < 0 || index >= of) throw new InvalidCpusetException("partition index must be in 0.." + (of - 1) + ", got " + index);
        if (len < of) throw new InvalidCpusetException("cannot split " + len + " usable CPUs into " + of + " partitions; use a topology with at least " + (of + 1) + " CPUs");
    }

    /** Thrown by {@link #resolve} for invalid specs; aborts the step. */
    final class InvalidCpusetException extends IllegalArgumentException {
        public InvalidCpusetException(String message) {
            super(message);
        }
    }
}
