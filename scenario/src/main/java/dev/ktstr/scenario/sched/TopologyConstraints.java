package dev.ktstr.scenario.sched;

import dev.ktstr.protocol.topology.Topology;
import java.util.ArrayList;
import java.util.List;

/** Which gauntlet topologies a test accepts (spec §1.2; defaults = {@link #DEFAULT}). */
public record TopologyConstraints(int minNumaNodes, int maxNumaNodes, int minLlcs, int maxLlcs,
                                  int minCpus, int maxCpus, boolean requiresSmt) {

    public static final TopologyConstraints DEFAULT = new TopologyConstraints(1, 1, 1, 12, 1, 192, false);

    public TopologyConstraints {
        List<String> p = new ArrayList<>();
        if (minNumaNodes <= 0 || maxNumaNodes <= 0) p.add("numa node bounds must be > 0");
        if (minLlcs <= 0 || maxLlcs <= 0) p.add("llc bounds must be > 0");
        if (minCpus <= 0 || maxCpus <= 0) p.add("cpu bounds must be > 0");
        if (minNumaNodes > maxNumaNodes) p.add("minNumaNodes " + minNumaNodes + " > maxNumaNodes " + maxNumaNodes);
        if (minLlcs > maxLlcs) p.add("minLlcs " + minLlcs + " > maxLlcs " + maxLlcs);
        if (minCpus > maxCpus) p.add("minCpus " + minCpus + " > maxCpus " + maxCpus);
        if (!p.isEmpty()) throw new IllegalArgumentException("invalid topology constraints: " + String.join("; ", p));
    }

    /** Why {@code t} is outside these constraints; empty when it is accepted. */
    public List<String> rejections(Topology t) {
        List<String> r = new ArrayList<>();
        if (t.numaNodes() < minNumaNodes || t.numaNodes() > maxNumaNodes) r.add("numa nodes " + t.numaNodes() + " outside " + minNumaNodes + ".." + maxNumaNodes);
        if (t.llcs() < minLlcs || t.llcs() > maxLlcs) r.add("llcs " + t.llcs() + " outside " + minLlcs + ".." + maxLlcs);
        if (t.totalCpus() < minCpus || t.totalCpus() > maxCpus) r.add("cpus " + t.totalCpus() + " outside " + minCpus + ".." + maxCpus);
        if (requiresSmt && !t.hasSmt()) r.add("requires SMT");
        return r;
    }

    public boolean accepts(Topology t) {
        return rejections(t).isEmpty();
    }
}
