package dev.ktstr.results;

import dev.ktstr.protocol.sidecar.HostContext;
import dev.ktstr.protocol.sidecar.MonitorSummary;
import dev.ktstr.protocol.sidecar.PhaseTimings;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCgroup;
import dev.ktstr.protocol.sidecar.SidecarFormatException;
import dev.ktstr.protocol.sidecar.SidecarStats;
import dev.ktstr.protocol.sidecar.WakeLatencyHistograms;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * Generated sidecars for tests: statistics are computed from generated worker samples the way the
 * real collector does (histogram percentiles, spread, ...), so the numbers hang together.
 */
public final class SidecarFixtures {
    public static final List<String> TESTS = List.of("cpuset_split", "mixed_bursty", "pipe_pingpong");
    public static final List<String> TOPOLOGIES = List.of("1n1l2c1t", "1n2l2c1t");

    private SidecarFixtures() {}

    /** Every test × topology on scx_qmap, deterministic per seed. */
    public static List<Sidecar> gauntlet(long seed) {
        List<Sidecar> out = new ArrayList<>();
        for (String t : TESTS) {
            for (String topo : TOPOLOGIES) {
                out.add(variant(t, topo, seed + out.size() * 7919L));
            }
        }
        return out;
    }

    public static Sidecar variant(String test, String topology, long seed) {
        Random rnd = new Random(seed);
        List<SidecarCgroup> cgs = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            Histogram h = WakeLatencyHistograms.newHistogram();
            for (int i = 0; i < 20_000; i++) {
                // log-normal-ish wake latencies around 40 µs with a tail
                long ns = (long) (40_000 * Math.exp(rnd.nextGaussian() * 0.5));
                h.recordValue(ns);
            }
            cgs.add(cgroup("cg_" + c, h, 20 + rnd.nextDouble() * 5, 12 + rnd.nextDouble() * 5));
        }
        return Sidecar.builder(test).variantId(test + "/" + topology + "/scx_qmap").topology(topology)
                .scheduler("scx_qmap").kernelVersion("6.12.117").projectCommit("9e4d7fe").workType("CpuSpin")
                .stats(stats(cgs)).monitor(new MonitorSummary(80, 1.2, 4, 0, 10, 3, true, "monitor OK"))
                .host(new HostContext("ci-1", "QEMU Virtual CPU", "GenuineIntel", 24_000_000L, 0L, 0L, 2048L,
                        "always [madvise] never", "madvise", Map.of("sched_rr_timeslice_ms", "100"), 2, 1, Map.of(),
                        "Linux", "6.1.0-27-amd64", "amd64", "console=ttyS0", "17.0.15"))
                .accelerator("tcg").workerNode("local").phases(PhaseTimings.basic(2200L, 1400L, 5000L, 150L))
                .cleanupDurationMs(150L).build();
    }

    static SidecarCgroup cgroup(String name, Histogram h, double gapMs, double spread) {
        double p99 = h.getValueAtPercentile(99) / 1000.0;
        double med = h.getValueAtPercentile(50) / 1000.0;
        return new SidecarCgroup(name, 2, 2, 10, 10 - spread / 2, 10 + spread / 2, spread, gapMs, 1, 20, 0.002,
                p99, med, h.getStdDeviation() / h.getMean(), 10_000, 30, 400, 1.0, 0.0, med > 0 ? p99 / med : 0,
                5000, Map.of(), h.getTotalCount(), WakeLatencyHistograms.encode(h));
    }

    static SidecarStats stats(List<SidecarCgroup> cgs) {
        double worstSpread = 0, gap = 0, p99 = 0, med = 0, cv = 0, tail = 0;
        long mig = 0, iters = 0;
        for (SidecarCgroup c : cgs) {
            worstSpread = Math.max(worstSpread, c.spread());
            gap = Math.max(gap, c.maxGapMs());
            p99 = Math.max(p99, c.p99WakeLatencyUs());
            med = Math.max(med, c.medianWakeLatencyUs());
            cv = Math.max(cv, c.wakeLatencyCv());
            tail = Math.max(tail, c.wakeLatencyTailRatio());
            mig += c.totalMigrations();
            iters += c.totalIterations();
        }
        return new SidecarStats(cgs, 4, 2, mig, worstSpread, gap, 1, 0.002, p99, med, cv, iters, 30, 400, 1.0, 0.0,
                tail, 5000, Map.of());
    }

    /**
     * The injected regression: every wake latency at or above the 95th percentile ×3 (so p99 ≈ ×3),
     * worst gap ×4. Histograms and the stats derived from them are rewritten consistently.
     */
    public static Sidecar doctor(Sidecar s) throws SidecarFormatException {
        List<SidecarCgroup> cgs = new ArrayList<>();
        for (SidecarCgroup c : s.stats().cgroups()) {
            Histogram h = WakeLatencyHistograms.decode(c.wakeLatencyHdr());
            long p95 = h.getValueAtPercentile(95);
            Histogram d = WakeLatencyHistograms.newHistogram();
            h.recordedValues().forEach(v -> {
                long val = v.getValueIteratedTo();
                d.recordValueWithCount(val >= p95 ? val * 3 : val, v.getCountAtValueIteratedTo());
            });
            cgs.add(cgroup(c.name(), d, c.maxGapMs() * 4, c.spread()));
        }
        return s.toBuilder().stats(stats(cgs)).build();
    }

    /** {@code s} with every cgroup's worst gap set to {@code gapMs} (and the stats derived from them). */
    public static Sidecar withGap(Sidecar s, double gapMs) throws SidecarFormatException {
        List<SidecarCgroup> cgs = new ArrayList<>();
        for (SidecarCgroup c : s.stats().cgroups()) {
            cgs.add(cgroup(c.name(), WakeLatencyHistograms.decode(c.wakeLatencyHdr()), gapMs, c.spread()));
        }
        return s.toBuilder().stats(stats(cgs)).build();
    }

    /** Writes a whole gauntlet into a new run of {@code store}. */
    public static RunDir writeRun(RunStore store, List<Sidecar> sidecars) throws IOException {
        RunDir run = store.newRun(RunInfo.of("6.12.117", "9e4d7fe"));
        for (Sidecar s : sidecars) {
            run.write(s);
        }
        return run;
    }
}
