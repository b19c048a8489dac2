package dev.ktstr.scenario.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ktstr.scenario.report.JvmNoise;
import dev.ktstr.scenario.report.WorkerReport;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class WorkerChecksTest {

    /** Synthetic report: wall 1 s; offCpuPct = off / 10 ms. */
    static WorkerReport rep(int tid, long units, long offMs, long gapMs, List<Integer> cpus) {
        long wall = 1_000_000_000L;
        long off = offMs * 1_000_000L;
        return new WorkerReport(tid, tid, "cg", 0, "CpuSpin", units, 100, wall - off, wall, off, gapMs, cpus.get(0), 700,
                0, new TreeSet<>(cpus), List.of(), null, 0, 2_000_000, 5, wall - off, Map.of(), 0, JvmNoise.NONE, true, null, false);
    }

    static WorkerReport with(WorkerReport r, String hist, long migrations, long iterations, Map<Integer, Long> pages, long migrated) {
        return new WorkerReport(r.pid(), r.tid(), r.cgroup(), r.workerIndex(), r.workType(), r.workUnits(), iterations, r.cpuTimeNs(),
                r.wallTimeNs(), r.offCpuNs(), r.maxGapMs(), r.maxGapCpu(), r.maxGapAtMs(), migrations, r.cpusUsed(), r.migrations(), hist,
                0, r.schedstatRunDelayNs(), r.schedstatRunCount(), r.schedstatCpuTimeNs(), pages, migrated, r.jvm(), true, null, false);
    }

    static String hist(long... ns) {
        Histogram h = WorkerReport.newLatencyHistogram();
        for (long v : ns) h.recordValue(v);
        return WorkerReport.encodeHistogram(h);
    }

    private static final Assert DEFAULTS = Assert.defaultChecks();

    @Test
    void healthyCgroupPassesWithStats() {
        AssertResult r = WorkerChecks.check("cg", List.of(rep(1, 100, 100, 10, List.of(0)), rep(2, 100, 150, 20, List.of(1, 2))),
                DEFAULTS, null, null);
        assertThat(r.passed()).isTrue();
        CgroupStats s = r.stats().cgroups().get(0);
        assertThat(s.numWorkers()).isEqualTo(2);
        assertThat(s.numCpus()).isEqualTo(3);
        assertThat(s.minOffCpuPct()).isCloseTo(10.0, within(1e-9));
        assertThat(s.maxOffCpuPct()).isCloseTo(15.0, within(1e-9));
        assertThat(s.spread()).isCloseTo(5.0, within(1e-9));
        assertThat(s.maxGapMs()).isEqualTo(20);
        assertThat(s.maxGapCpu()).isEqualTo(1);
        assertThat(s.meanRunDelayUs()).isEqualTo(2000.0);
        assertThat(s.iterationsPerWorker()).isEqualTo(100.0);
    }

    @Test
    void starvedWorker() {
        AssertResult r = WorkerChecks.check("cg", List.of(rep(7, 0, 100, 10, List.of(0)), rep(8, 5, 100, 10, List.of(0))), DEFAULTS, null, null);
        assertThat(r.passed()).isFalse();
        assertThat(r.details()).containsExactly(new AssertDetail(DetailKind.STARVED, "tid 7 starved (0 work units)"));
    }

    @Test
    void unfairSpreadUsesSpecFormatAndDefaultThreshold() {
        AssertResult r = WorkerChecks.check("cg", List.of(rep(1, 1, 80, 1, List.of(0)), rep(2, 1, 500, 1, List.of(1)),
                rep(3, 1, 200, 1, List.of(2)), rep(4, 1, 300, 1, List.of(3))), DEFAULTS, null, null);
        assertThat(r.details()).containsExactly(new AssertDetail(DetailKind.UNFAIR,
                "unfair cgroup: spread=42% (8-50%) 4 workers on 4 cpus (threshold 35%)"));
    }

    @Test
    void spreadExactlyAtLimitPassesAndNeedsTwoWorkers() {
        Assert a = DEFAULTS.withMaxSpreadPct(10.0);
        assertThat(WorkerChecks.check("cg", List.of(rep(1, 1, 100, 1, List.of(0)), rep(2, 1, 200, 1, List.of(0))), a, null, null).passed()).isTrue();
        assertThat(WorkerChecks.check("cg", List.of(rep(1, 1, 100, 1, List.of(0)), rep(2, 1, 201, 1, List.of(0))), a, null, null).passed()).isFalse();
        // a single worker never fails the spread check
        assertThat(WorkerChecks.check("cg", List.of(rep(1, 1, 990, 1, List.of(0))), a, null, null).passed()).isTrue();
    }

    @Test
    void gapUsesDefaultAndOverride() {
        AssertResult r = WorkerChecks.check("cg", List.of(rep(1, 1, 100, 4500, List.of(2))), DEFAULTS, null, null);
        assertThat(r.details()).containsExactly(new AssertDetail(DetailKind.STUCK, "stuck 4500ms on cpu2 at +700ms (threshold 3000ms)"));
        assertThat(WorkerChecks.check("cg", List.of(rep(1, 1, 100, 3000, List.of(2))), DEFAULTS, null, null).passed()).isTrue();
        assertThat(WorkerChecks.check("cg", List.of(rep(1, 1, 100, 3000, List.of(2))), DEFAULTS.withMaxGapMs(2000L), null, null).passed()).isFalse();
    }

    @Test
    void notStarvedFalseDisablesStarvationSpreadAndGap() {
        Assert off = DEFAULTS.withNotStarved(false);
        assertThat(WorkerChecks.check("cg", List.of(rep(1, 0, 0, 9000, List.of(0)), rep(2, 1, 900, 1, List.of(0))), off, null, null).passed()).isTrue();
    }

    @Test
    void noWorkerChecksFallsBackToStarvation() {
        AssertResult r = WorkerChecks.check("cg", List.of(rep(1, 0, 0, 1, List.of(0))), Assert.NO_OVERRIDES, null, null);
        assertThat(r.details()).extracting(AssertDetail::kind).containsExactly(DetailKind.STARVED);
    }

    @Test
    void noReportsIsASkip() {
        AssertResult r = WorkerChecks.check("cg", List.of(), DEFAULTS, null, null);
        assertThat(r.passed()).isTrue();
        assertThat(r.skipped()).isTrue();
    }

    @Test
    void isolationNeedsOptInAndCpuset() {
        var reports = List.of(rep(5, 1, 100, 1, List.of(0, 3, 4)));
        TreeSet<Integer> cpuset = new TreeSet<>(List.of(0, 1));
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS, cpuset, null).passed()).isTrue();
        AssertResult r = WorkerChecks.check("cg", reports, DEFAULTS.checkIsolation(), cpuset, null);
        assertThat(r.details()).containsExactly(new AssertDetail(DetailKind.ISOLATION, "tid 5 ran on unexpected CPUs {3, 4}"));
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.checkIsolation(), null, null).passed()).isTrue();
    }

    @Test
    void throughputCvAndMinWorkRate() {
        // cpu time = wall - off: 0.9 s each; units 900 and 2700 → rates 1000 and 3000, mean 2000, sd 1000, cv 0.5
        var reports = List.of(rep(1, 900, 100, 1, List.of(0)), rep(2, 2700, 100, 1, List.of(1)));
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMaxThroughputCv(0.5), null, null).passed()).isTrue();
        AssertResult r = WorkerChecks.check("cg", reports, DEFAULTS.withMaxThroughputCv(0.49), null, null);
        assertThat(r.details().get(0).message()).isEqualTo("throughput cv 0.500 exceeds threshold 0.49 (mean 2000 units/cpu-s over 2 workers)");
        AssertResult floor = WorkerChecks.check("cg", reports, DEFAULTS.withMinWorkRate(1500.0), null, null);
        assertThat(floor.details()).extracting(AssertDetail::message).containsExactly("tid 1 work rate 1000.0 units/cpu-s below threshold 1500");
        // zero CPU time → rate 0
        WorkerReport zeroCpu = new WorkerReport(3, 3, "cg", 0, "x", 5, 1, 0, 1000, 1000, 0, 0, 0, 0, null, null, null, 0, 0, 0, 0, null, 0, null, true, null, false);
        assertThat(WorkerChecks.workRate(zeroCpu)).isZero();
    }

    @Test
    void wakeLatencyP99PooledAcrossWorkers() {
        long[] a = new long[99];
        java.util.Arrays.fill(a, 1_000);
        var reports = List.of(with(rep(1, 1, 100, 1, List.of(0)), hist(a), 0, 100, Map.of(), 0),
                with(rep(2, 1, 100, 1, List.of(0)), hist(5_000_000), 0, 100, Map.of(), 0));
        // pool = 99 × 1 µs + 1 × 5 ms; p99 (index ceil(0.99*100)-1 = 98) = 1 µs
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMaxP99WakeLatencyNs(1_001L), null, null).passed()).isTrue();
        AssertResult r = WorkerChecks.check("cg", reports, DEFAULTS.withMaxP99WakeLatencyNs(999L), null, null);
        assertThat(r.details().get(0).message()).isEqualTo("p99 wake latency 1000ns exceeds threshold 999ns (100 samples)");
        CgroupStats s = r.stats().cgroups().get(0);
        assertThat(s.p99WakeLatencyUs()).isCloseTo(1.0, within(0.01));
        assertThat(s.medianWakeLatencyUs()).isCloseTo(1.0, within(0.01));
        assertThat(s.wakeLatencyTailRatio()).isCloseTo(1.0, within(0.01));
        assertThat(s.wakeLatencyCv()).isGreaterThan(5);
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMaxWakeLatencyCv(1.0), null, null).details().get(0).kind()).isEqualTo(DetailKind.BENCHMARK);
        // no samples → latency checks skipped
        assertThat(WorkerChecks.check("cg", List.of(rep(1, 1, 100, 1, List.of(0))), DEFAULTS.withMaxP99WakeLatencyNs(1L), null, null).passed()).isTrue();
    }

    @Test
    void iterationRate() {
        var reports = List.of(with(rep(1, 1, 100, 1, List.of(0)), null, 0, 50, Map.of(), 0));
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMinIterationRate(50.0), null, null).passed()).isTrue();
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMinIterationRate(51.0), null, null).details().get(0).message())
                .isEqualTo("tid 1 iteration rate 50.0/s below threshold 51");
    }

    @Test
    void migrationRatio() {
        var reports = List.of(with(rep(1, 1, 100, 1, List.of(0)), null, 30, 100, Map.of(), 0),
                with(rep(2, 1, 100, 1, List.of(0)), null, 10, 100, Map.of(), 0));
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMaxMigrationRatio(0.2), null, null).passed()).isTrue();
        AssertResult r = WorkerChecks.check("cg", reports, DEFAULTS.withMaxMigrationRatio(0.19), null, null);
        assertThat(r.details()).containsExactly(new AssertDetail(DetailKind.MIGRATION,
                "migration ratio 0.200 exceeds threshold 0.19 (40 migrations / 200 iterations)"));
        // zero iterations → ratio 0
        var none = List.of(with(rep(1, 1, 100, 1, List.of(0)), null, 5, 0, Map.of(), 0));
        assertThat(WorkerChecks.check("cg", none, DEFAULTS.withMaxMigrationRatio(0.0), null, null).passed()).isTrue();
    }

    @Test
    void numaChecks() {
        TreeSet<Integer> nodes = new TreeSet<>(List.of(0));
        var reports = List.of(with(rep(1, 1, 100, 1, List.of(0)), null, 0, 1, Map.of(0, 75L, 1, 25L), 10));
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMinPageLocality(0.75), null, nodes).passed()).isTrue();
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMinPageLocality(0.8), null, nodes).details().get(0).kind())
                .isEqualTo(DetailKind.PAGE_LOCALITY);
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMaxSlowTierRatio(0.2), null, nodes).details().get(0).message())
                .isEqualTo("tid 1 slow-tier ratio 0.250 exceeds threshold 0.2 (25 of 100 pages off nodes {0})");
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMaxCrossNodeMigrationRatio(0.05), null, nodes).details().get(0).kind())
                .isEqualTo(DetailKind.CROSS_NODE_MIGRATION);
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMaxCrossNodeMigrationRatio(0.1), null, nodes).passed()).isTrue();
        // without known nodes, locality is not checkable
        assertThat(WorkerChecks.check("cg", reports, DEFAULTS.withMinPageLocality(0.99), null, null).passed()).isTrue();
        CgroupStats s = WorkerChecks.stats("cg", reports, nodes);
        assertThat(s.pageLocality()).isEqualTo(0.75);
        assertThat(s.crossNodeMigrationRatio()).isEqualTo(0.1);
    }

    @Test
    void mergeAggregatesPerSpec() {
        AssertResult a = WorkerChecks.check("a", List.of(rep(1, 1, 100, 40, List.of(0)), rep(2, 1, 120, 10, List.of(1))), DEFAULTS, null, null);
        AssertResult b = WorkerChecks.check("b", List.of(rep(3, 0, 100, 90, List.of(3))), DEFAULTS, null, null);
        AssertResult m = a.merge(b);
        assertThat(m.passed()).isFalse();
        assertThat(m.skipped()).isFalse();
        assertThat(m.stats().totalWorkers()).isEqualTo(3);
        assertThat(m.stats().totalCpus()).isEqualTo(3);
        assertThat(m.stats().worstGapMs()).isEqualTo(90);
        assertThat(m.stats().worstGapCpu()).isEqualTo(3);
        assertThat(m.stats().worstSpread()).isCloseTo(2.0, within(1e-9));
        assertThat(m.stats().cgroups()).extracting(CgroupStats::cgroup).containsExactly("a", "b");
        assertThat(AssertResult.skip("x").merge(AssertResult.skip("y")).skipped()).isTrue();
        assertThat(AssertResult.skip("x").merge(AssertResult.pass()).skipped()).isFalse();
    }

    @Test
    void extMetricsMergeByRegistryPolarity() {
        ScenarioStats a = new ScenarioStats(List.of(), 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                Map.of("total_iterations", 100.0, "jvm_gc_count", 1.0));
        ScenarioStats b = new ScenarioStats(List.of(), 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                Map.of("total_iterations", 50.0, "jvm_gc_count", 4.0));
        Map<String, Double> m = a.merge(b).extMetrics();
        assertThat(m.get("total_iterations")).isEqualTo(50.0); // higher is better → worst = min
        assertThat(m.get("jvm_gc_count")).isEqualTo(4.0);      // unknown → max
    }
}
