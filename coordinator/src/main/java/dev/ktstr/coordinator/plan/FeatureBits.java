package dev.ktstr.coordinator.plan;

import dev.ktstr.protocol.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The 64-bit coverage vector of a variant (ktstr-spec §7). Multi-valued features are one-hot
 * buckets, so covering one value never partly covers another and greedy coverage stays submodular.
 */
public final class FeatureBits {

    /** Bit positions of the catalog flags within each 6-bit flag field. */
    public static final List<String> CATALOG_FLAGS = List.of("llc", "borrow", "steal", "rebal", "reject-pin", "no-ctrl");

    static final int SCHEDULER = 0;
    static final int REQUIRED = 4;
    static final int EXCLUDED = 10;
    static final int ACTIVE = 16;
    static final int CPU_BUCKET = 22;
    static final int LLC_BUCKET = 27;
    static final int SMT = 32;
    static final int PERF_MODE = 33;
    static final int HOST_ONLY = 34;
    static final int EXPECT_ERR = 35;
    static final int DURATION_BUCKET = 36;
    static final int MANY_WORKERS = 39;
    static final int GAUNTLET = 40;
    static final int NAME_HASH = 41;
    static final int NUMA_BUCKET = 45;

    private FeatureBits() {}

    public static long of(Variant v) {
        PlanTest t = v.test();
        Topology topo = v.topology();
        long bits = 0;
        bits |= 1L << (SCHEDULER + (djb2(t.schedulerName()) & 3));
        bits |= flagBits(t.requiredFlags()) << REQUIRED;
        bits |= flagBits(t.excludedFlags()) << EXCLUDED;
        bits |= flagBits(v.activeFlags()) << ACTIVE;
        bits |= 1L << (CPU_BUCKET + cpuBucket(TopologyPreset.cpus(topo)));
        bits |= 1L << (LLC_BUCKET + llcBucket(topo.llcs()));
        if (topo.threadsPerCore() > 1) bits |= 1L << SMT;
        if (t.performanceMode()) bits |= 1L << PERF_MODE;
        if (t.hostOnly()) bits |= 1L << HOST_ONLY;
        if (t.expectErr()) bits |= 1L << EXPECT_ERR;
        bits |= 1L << (DURATION_BUCKET + durationBucket(t.durationS()));
        if (t.workersPerCgroup() > 2) bits |= 1L << MANY_WORKERS;
        if (v.gauntlet()) bits |= 1L << GAUNTLET;
        bits |= 1L << (NAME_HASH + (djb2(v.name()) & 3));
        bits |= 1L << (NUMA_BUCKET + numaBucket(topo.numaNodes()));
        return bits;
    }

    /**
     * djb2 over the UTF-8 bytes ({@code h = h*33 + b}, starting at 5381, 32-bit wrapping). Only
     * {@code h mod 4} is used, and the low two bits are the same at any word width.
     */
    public static int djb2(String s) {
        int h = 5381;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = h * 33 + (b & 0xff);
        }
        return h;
    }

    /** Catalog flags as bits 0..5; flags outside the catalog are ignored (spec). */
    static long flagBits(List<String> flags) {
        long b = 0;
        for (String f : flags) {
            int i = CATALOG_FLAGS.indexOf(f);
            if (i >= 0) b |= 1L << i;
        }
        return b;
    }

    static int cpuBucket(int cpus) {
        if (cpus <= 8) return 0;
        if (cpus <= 16) return 1;
        if (cpus <= 64) return 2;
        if (cpus <= 128) return 3;
        return 4;
    }

    static int llcBucket(int llcs) {
        if (llcs <= 1) return 0;
        if (llcs == 2) return 1;
        if (llcs <= 4) return 2;
        if (llcs <= 8) return 3;
        return 4;
    }

    static int durationBucket(int secs) {
        if (secs <= 2) return 0;
        if (secs <= 10) return 1;
        return 2;
    }

    static int numaBucket(int nodes) {
        if (nodes <= 1) return 0;
        if (nodes == 2) return 1;
        if (nodes <= 4) return 2;
        return 3;
    }
}
