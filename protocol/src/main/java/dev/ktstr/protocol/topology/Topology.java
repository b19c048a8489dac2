package dev.ktstr.protocol.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VM CPU topology: {@code llcs} is the total LLC count, spread evenly over NUMA nodes that own whole LLCs, each LLC has {@code coresPerLlc} cores of
 * {@code threadsPerCore} SMT threads. CPU ids are dense: LLC-major, then core, then thread, which
 * is how QEMU numbers CPUs when each LLC is one socket.
 */
public record Topology(int numaNodes, int llcs, int coresPerLlc, int threadsPerCore) {

    private static final Pattern COMMA = Pattern.compile("\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*");
    private static final Pattern COMPACT = Pattern.compile("(\\d+)n(\\d+)l(\\d+)c(\\d+)t");

    /** The fallback topology without a scheduler default: 1 node, 1 LLC, 2 cores, 1 thread. */
    public static final Topology DEFAULT = new Topology(1, 1, 2, 1);

    public Topology {
        List<String> problems = problems(numaNodes, llcs, coresPerLlc, threadsPerCore);
        if (!problems.isEmpty()) {
            throw new InvalidTopologyException(String.format("invalid topology %d,%d,%d,%d: %s",
                    numaNodes, llcs, coresPerLlc, threadsPerCore, String.join("; ", problems)));
        }
    }

    /** Every reason the four numbers cannot form a topology; empty when they can. */
    public static List<String> problems(long numaNodes, long llcs, long coresPerLlc, long threadsPerCore) {
        List<String> p = new ArrayList<>();
        if (numaNodes <= 0) p.add("numa nodes must be > 0");
        if (llcs <= 0) p.add("llcs must be > 0");
        if (coresPerLlc <= 0) p.add("cores per llc must be > 0");
        if (threadsPerCore <= 0) p.add("threads per core must be > 0");
        if (numaNodes > 0 && llcs > 0 && llcs % numaNodes != 0) {
            p.add("llcs (" + llcs + ") must be a multiple of numa nodes (" + numaNodes + ") so every node owns whole LLCs");
        }
        if (p.isEmpty() && llcs * coresPerLlc * threadsPerCore > 4096) {
            p.add("more than 4096 CPUs");
        }
        return p;
    }

    /**
     * Parses {@code N,L,C,T} (numa nodes, LLCs, cores per LLC, threads per core) or the rendered
     * form {@code 1n2l4c2t}.
     */
    public static Topology parse(String text) {
        Objects.requireNonNull(text, "topology");
        Matcher m = COMMA.matcher(text);
        if (!m.matches()) {
            m = COMPACT.matcher(text.trim());
        }
        if (!m.matches()) {
            throw new InvalidTopologyException("malformed topology '" + text
                    + "': expected N,L,C,T (numa nodes, LLCs, cores per LLC, threads per core), e.g. 1,2,2,2 or 1n2l2c2t");
        }
        try {
            return new Topology(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
        } catch (NumberFormatException e) {
            throw new InvalidTopologyException("malformed topology '" + text + "': number out of range");
        }
    }

    public int totalCpus() {
        return llcs * coresPerLlc * threadsPerCore;
    }

    public int cpusPerLlc() {
        return coresPerLlc * threadsPerCore;
    }

    public int llcsPerNode() {
        return llcs / numaNodes;
    }

    public int cpusPerNode() {
        return llcsPerNode() * cpusPerLlc();
    }

    public int llcOfCpu(int cpu) {
        checkCpu(cpu);
        return cpu / cpusPerLlc();
    }

    public int nodeOfCpu(int cpu) {
        return llcOfCpu(cpu) / llcsPerNode();
    }

    public int nodeOfLlc(int llc) {
        if (llc < 0 || llc >= llcs) throw new IndexOutOfBoundsException("llc " + llc + " of " + llcs);
        return llc / llcsPerNode();
    }

    /** First and last CPU id (inclusive) of an LLC. */
    public int[] llcCpuRange(int llc) {
        if (llc < 0 || llc >= llcs) throw new IndexOutOfBoundsException("llc " + llc + " of " + llcs);
        int first = llc * cpusPerLlc();
        return new int[] {first, first + cpusPerLlc() - 1};
    }

    /** First and last CPU id (inclusive) of a NUMA node. */
    public int[] nodeCpuRange(int node) {
        if (node < 0 || node >= numaNodes) throw new IndexOutOfBoundsException("node " + node + " of " + numaNodes);
        int first = node * cpusPerNode();
        return new int[] {first, first + cpusPerNode() - 1};
    }

    public boolean hasSmt() {
        return threadsPerCore > 1;
    }

    /** {@code 1n2l4c2t}. */
    public String render() {
        return numaNodes + "n" + llcs + "l" + coresPerLlc + "c" + threadsPerCore + "t";
    }

    /** {@code 1,2,4,2}. */
    public String toArgument() {
        return numaNodes + "," + llcs + "," + coresPerLlc + "," + threadsPerCore;
    }

    @Override
    public String toString() {
        return render();
    }

    private void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= totalCpus()) throw new IndexOutOfBoundsException("cpu " + cpu + " of " + totalCpus());
    }
}
