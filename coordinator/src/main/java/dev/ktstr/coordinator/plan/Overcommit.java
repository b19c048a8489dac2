package dev.ktstr.coordinator.plan;

/**
 * Permission to plan VMs larger than the host, for TCG hosts where vCPUs are host threads anyway
 * (a 2-CPU machine can hold no preset otherwise). {@code cpuFactor} N allows up to N x host CPUs
 * of vCPUs; {@code ignoreLlcShape} drops the "LLC count and LLC size fit the host" checks, since an
 * overcommitted guest's LLCs cannot map onto host LLCs anyway. Results must say it was used: the
 * plan carries the setting and which variants exceeded the host.
 */
public record Overcommit(int cpuFactor, boolean ignoreLlcShape) {

    /** Exact fit only: the spec's behaviour. */
    public static final Overcommit NONE = new Overcommit(1, false);

    public Overcommit {
        if (cpuFactor < 1) {
            throw new IllegalArgumentException("overcommit factor must be >= 1 (1 = no overcommit), got " + cpuFactor);
        }
    }

    /** {@code --overcommit N}: N x host CPUs, LLC shape not checked. */
    public static Overcommit factor(int n) {
        return new Overcommit(n, true);
    }

    public boolean enabled() {
        return cpuFactor > 1 || ignoreLlcShape;
    }

    @Override
    public String toString() {
        if (!enabled()) return "no overcommit";
        return "overcommit x" + cpuFactor + (ignoreLlcShape ? " (LLC shape not checked)" : "");
    }
}
