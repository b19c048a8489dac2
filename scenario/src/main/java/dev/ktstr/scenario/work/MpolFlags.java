package dev.ktstr.scenario.work;

/** {@code set_mempolicy} mode flags (OR-able ints, the kernel's values). */
public final class MpolFlags {
    public static final int NONE = 0;
    public static final int STATIC_NODES = 1 << 15;
    public static final int RELATIVE_NODES = 1 << 14;
    public static final int NUMA_BALANCING = 1 << 13;
    public static final int ALL = STATIC_NODES | RELATIVE_NODES | NUMA_BALANCING;

    private MpolFlags() {
    }

    public static int validate(int flags) {
        if ((flags & ~ALL) != 0) {
            throw new IllegalArgumentException("unknown mempolicy flag bits 0x" + Integer.toHexString(flags & ~ALL)
                    + "; use MpolFlags.STATIC_NODES / RELATIVE_NODES / NUMA_BALANCING");
        }
        return flags;
    }
}
