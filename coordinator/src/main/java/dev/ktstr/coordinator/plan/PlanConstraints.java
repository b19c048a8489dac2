package dev.ktstr.coordinator.plan;

/**
 * Gauntlet topology constraints of a test (ktstr-spec §1.2). A maximum of {@code 0} or less means
 * "no upper bound" so callers can express the spec's "if set".
 */
public record PlanConstraints(int minNumaNodes, int maxNumaNodes, int minLlcs, int maxLlcs,
                              int minCpus, int maxCpus, boolean requiresSmt) {

    /** {@code TopologyConstraints::DEFAULT}: 1 node, 1..12 LLCs, 1..192 CPUs, SMT not required. */
    public static final PlanConstraints DEFAULT = new PlanConstraints(1, 1, 1, 12, 1, 192, false);

    public PlanConstraints {
        StringBuilder p = new StringBuilder();
        if (minNumaNodes < 1) p.append("; min_numa_nodes must be >= 1");
        if (minLlcs < 1) p.append("; min_llcs must be >= 1");
        if (minCpus < 1) p.append("; min_cpus must be >= 1");
        if (maxNumaNodes > 0 && minNumaNodes > maxNumaNodes) p.append("; min_numa_nodes > max_numa_nodes");
        if (maxLlcs > 0 && minLlcs > maxLlcs) p.append("; min_llcs > max_llcs");
        if (maxCpus > 0 && minCpus > maxCpus) p.append("; min_cpus > max_cpus");
        if (p.length() > 0) {
            throw new IllegalArgumentException("invalid topology constraints " + p.substring(2)
                    + " (min " + minNumaNodes + "/" + minLlcs + "/" + minCpus + ", max " + maxNumaNodes + "/"
                    + maxLlcs + "/" + maxCpus + " for numa/llcs/cpus)");
        }
    }

    public PlanConstraints withMinLlcs(int v) {
        return new PlanConstraints(minNumaNodes, maxNumaNodes, v, maxLlcs, minCpus, maxCpus, requiresSmt);
    }

    public PlanConstraints withRequiresSmt(boolean v) {
        return new PlanConstraints(minNumaNodes, maxNumaNodes, minLlcs, maxLlcs, minCpus, maxCpus, v);
    }

    public PlanConstraints withNuma(int min, int max) {
        return new PlanConstraints(min, max, minLlcs, maxLlcs, minCpus, maxCpus, requiresSmt);
    }

    public PlanConstraints withCpus(int min, int max) {
        return new PlanConstraints(minNumaNodes, maxNumaNodes, minLlcs, maxLlcs, min, max, requiresSmt);
    }

    public PlanConstraints withLlcs(int min, int max) {
        return new PlanConstraints(minNumaNodes, maxNumaNodes, min, max, minCpus, maxCpus, requiresSmt);
    }
}
