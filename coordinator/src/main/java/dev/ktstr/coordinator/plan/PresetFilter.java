package dev.ktstr.coordinator.plan;

import dev.ktstr.protocol.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Chooses the presets a test runs on (ktstr-spec §6.3): the test's topology constraints, and that
 * the host can hold the VM. {@link Overcommit} relaxes the host part only; constraints always hold.
 */
public final class PresetFilter {

    /** Why one preset was not used. {@code byHost} separates "too big for this host" from constraints. */
    public record Rejection(TopologyPreset preset, String reason, boolean byHost) {}

    /** Presets kept (table order), rejections, and which kept presets exceed the host's real size. */
    public record Result(List<TopologyPreset> kept, List<Rejection> rejected, List<TopologyPreset> overcommitted) {

        public Result {
            kept = List.copyOf(kept);
            rejected = List.copyOf(rejected);
            overcommitted = List.copyOf(overcommitted);
        }

        /** A one-line explanation for an empty result, naming what to change. */
        public String emptyReason(HostCapacity host, Overcommit overcommit) {
            long byHost = rejected.stream().filter(Rejection::byHost).count();
            long byConstraints = rejected.size() - byHost;
            String examples = rejected.stream().filter(Rejection::byHost).limit(3)
                    .map(r -> r.preset().name() + ": " + r.reason()).collect(Collectors.joining("; "));
            StringBuilder b = new StringBuilder("no topology preset fits: ").append(byConstraints)
                    .append(" excluded by the test's constraints, ").append(byHost)
                    .append(" too large for this host (").append(host).append(", ").append(overcommit).append(")");
            if (!examples.isEmpty()) b.append(" e.g. ").append(examples);
            if (byHost > 0) {
                b.append(". Run on a larger host, or allow overcommit (--overcommit N) on a TCG host");
            } else {
                b.append(". Relax the test's min/max numa/llcs/cpus or requires_smt constraints");
            }
            return b.toString();
        }
    }

    private final HostCapacity host;
    private final Overcommit overcommit;

    public PresetFilter(HostCapacity host, Overcommit overcommit) {
        this.host = Objects.requireNonNull(host, "host");
        this.overcommit = Objects.requireNonNull(overcommit, "overcommit");
    }

    public HostCapacity host() {
        return host;
    }

    public Overcommit overcommit() {
        return overcommit;
    }

    /** Filter with the smallest VM memory the runner would use (256 MB floor). */
    public Result filter(List<TopologyPreset> presets, PlanConstraints c) {
        return filter(presets, c, 256);
    }

    /** Filter for a test whose entry asks for {@code entryMemoryMb}; VM memory is {@code max(cpus x 64, 256, entryMemoryMb)}. */
    public Result filter(List<TopologyPreset> presets, PlanConstraints c, int entryMemoryMb) {
        List<TopologyPreset> kept = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        List<TopologyPreset> over = new ArrayList<>();
        for (TopologyPreset p : presets) {
            String why = constraintViolation(p.topology(), c);
            if (why != null) {
                rejected.add(new Rejection(p, why, false));
                continue;
            }
            why = hostViolation(p.topology(), entryMemoryMb);
            if (why != null) {
                rejected.add(new Rejection(p, why, true));
                continue;
            }
            kept.add(p);
            if (exceedsHost(p.topology())) over.add(p);
        }
        return new Result(kept, rejected, over);
    }

    /** The first constraint the topology breaks, or null. */
    public static String constraintViolation(Topology t, PlanConstraints c) {
        int cpus = TopologyPreset.cpus(t);
        if (t.numaNodes() < c.minNumaNodes()) return t.numaNodes() + " NUMA nodes < min_numa_nodes " + c.minNumaNodes();
        if (c.maxNumaNodes() > 0 && t.numaNodes() > c.maxNumaNodes()) return t.numaNodes() + " NUMA nodes > max_numa_nodes " + c.maxNumaNodes();
        if (t.llcs() < c.minLlcs()) return t.llcs() + " LLCs < min_llcs " + c.minLlcs();
        if (c.maxLlcs() > 0 && t.llcs() > c.maxLlcs()) return t.llcs() + " LLCs > max_llcs " + c.maxLlcs();
        if (c.requiresSmt() && t.threadsPerCore() < 2) return "no SMT but requires_smt";
        if (cpus < c.minCpus()) return cpus + " CPUs < min_cpus " + c.minCpus();
        if (c.maxCpus() > 0 && cpus > c.maxCpus()) return cpus + " CPUs > max_cpus " + c.maxCpus();
        return null;
    }

    /** The first reason the host cannot hold the topology under the overcommit setting, or null. */
    public String hostViolation(Topology t, int entryMemoryMb) {
        int cpus = TopologyPreset.cpus(t);
        long cpuLimit = (long) host.logicalCpus() * overcommit.cpuFactor();
        if (cpus > cpuLimit) {
            return cpus + " vCPUs > " + (overcommit.cpuFactor() == 1 ? "" : overcommit.cpuFactor() + " x ")
                    + host.logicalCpus() + " host CPUs";
        }
        if (!overcommit.ignoreLlcShape()) {
            if (t.llcs() > host.llcGroups()) return t.llcs() + " LLCs > " + host.llcGroups() + " host LLCs";
            if (t.cpusPerLlc() > host.largestLlcCpus()) {
                return t.cpusPerLlc() + " CPUs per LLC > largest host LLC (" + host.largestLlcCpus() + " CPUs)";
            }
        }
        long mem = TopologyPreset.vmMemoryMb(t, entryMemoryMb);
        if (mem > host.memoryMb()) return "needs " + mem + " MB > host memory " + host.memoryMb() + " MB";
        return null;
    }

    /** True when the topology would not fit without overcommit. */
    public boolean exceedsHost(Topology t) {
        return TopologyPreset.cpus(t) > host.logicalCpus() || t.llcs() > host.llcGroups()
                || t.cpusPerLlc() > host.largestLlcCpus();
    }
}
