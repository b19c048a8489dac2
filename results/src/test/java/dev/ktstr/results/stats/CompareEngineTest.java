package dev.ktstr.results.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.results.LoadResult;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import dev.ktstr.results.SidecarFixtures;
import dev.ktstr.results.stats.CompareReport.MetricDelta;
import dev.ktstr.results.stats.CompareReport.Verdict;
import dev.ktstr.protocol.sidecar.MonitorSummary;
import dev.ktstr.protocol.sidecar.Sidecar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareEngineTest {
    @TempDir
    Path root;

    static LoadResult pool(RunStore store) throws IOException {
        List<LoadResult> parts = new ArrayList<>();
        for (RunDir r : store.runs()) {
            parts.add(r.load());
        }
        return LoadResult.concat(parts);
    }

    static List<Sidecar> doctored(List<Sidecar> in) throws Exception {
        List<Sidecar> out = new ArrayList<>();
        for (Sidecar s : in) {
            out.add(SidecarFixtures.doctor(s));
        }
        return out;
    }

    @Test
    void runAgainstItselfHasNoRegression() throws Exception {
        RunStore store = RunStore.open(root);
        RunDir run = SidecarFixtures.writeRun(store, SidecarFixtures.gauntlet(1));
        CompareReport r = CompareEngine.compare(pool(store), CompareOptions.runs(run.id(), run.id()));
        assertThat(r.slicing()).containsExactly(Dimension.RUN);
        assertThat(r.pairs()).hasSize(6);
        assertThat(r.hasRegression()).isFalse();
        assertThat(r.pairs()).allSatisfy(p -> assertThat(p.deltas()).allSatisfy(d -> assertThat(d.delta()).isZero()));
    }

    @Test
    void identicalFiltersOnBothSidesAreAnErrorNamingTheFix() throws Exception {
        RunStore store = RunStore.open(root);
        SidecarFixtures.writeRun(store, SidecarFixtures.gauntlet(1));
        CompareOptions same = new CompareOptions(new SideFilter(Map.of(Dimension.KERNEL, Set.of("6.12"))), null, null,
                null, true, null, null);
        assertThatThrownBy(() -> CompareEngine.compare(pool(store), same))
                .hasMessageContaining("specify at least one per-side filter");
    }

    @Test
    void identicalCopyHasNoRegressionAndRegressedCopyIsCaught() throws Exception {
        RunStore store = RunStore.open(root);
        List<Sidecar> base = SidecarFixtures.gauntlet(1);
        RunDir a = SidecarFixtures.writeRun(store, base);
        RunDir same = SidecarFixtures.writeRun(store, base);
        RunDir bad = SidecarFixtures.writeRun(store, doctored(base));

        CompareReport clean = CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), same.id()));
        assertThat(clean.pairs()).hasSize(6);
        assertThat(clean.slicing()).containsExactly(Dimension.RUN);
        assertThat(clean.hasRegression()).isFalse();
        assertThat(clean.pairs()).allSatisfy(p -> assertThat(p.deltas()).hasSizeGreaterThanOrEqualTo(15)
                .allSatisfy(d -> assertThat(d.delta()).isZero()));
        assertThat(clean.pairs().get(0).a().latencyFromHistograms()).isTrue();

        CompareReport r = CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), bad.id()));
        assertThat(r.hasRegression()).isTrue();
        assertThat(r.pairs()).hasSize(6).allSatisfy(p -> {
            MetricDelta p99 = metric(p.deltas(), "worst_p99_wake_latency_us");
            assertThat(p99.verdict()).isEqualTo(Verdict.REGRESSION);
            assertThat(p99.b() / p99.a()).isBetween(2.7, 3.3);
            MetricDelta gap = metric(p.deltas(), "worst_gap_ms");
            assertThat(gap.b() / gap.a()).isBetween(3.99, 4.01);
            // gap ×4 from ~25 ms is under the 500 ms absolute gate: noise, not a regression
            assertThat(gap.verdict()).isEqualTo(Verdict.UNCHANGED);
            assertThat(metric(p.deltas(), "worst_median_wake_latency_us").verdict()).isEqualTo(Verdict.UNCHANGED);
        });
        String text = CompareText.table(r, false, false);
        assertThat(text).contains("worst_p99_wake_latency_us").contains("regression").endsWith("REGRESSION\n");
        assertThat(CompareText.json(r)).contains("\"regression\" : true");
    }

    @Test
    void gapAboveTheAbsoluteGateIsARegression() throws Exception {
        RunStore store = RunStore.open(root);
        Sidecar s = SidecarFixtures.variant("t", "1n1l2c1t", 9);
        Sidecar slow = s.toBuilder().stats(withGap(s, 300)).build();
        Sidecar slower = s.toBuilder().stats(withGap(s, 1200)).build();
        RunDir a = SidecarFixtures.writeRun(store, List.of(slow));
        RunDir b = SidecarFixtures.writeRun(store, List.of(slower));
        CompareReport r = CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), b.id()));
        assertThat(metric(r.pairs().get(0).deltas(), "worst_gap_ms").verdict()).isEqualTo(Verdict.REGRESSION);
        CompareReport reverse = CompareEngine.compare(pool(store), CompareOptions.runs(b.id(), a.id()));
        assertThat(metric(reverse.pairs().get(0).deltas(), "worst_gap_ms").verdict()).isEqualTo(Verdict.IMPROVEMENT);
        assertThat(reverse.hasRegression()).isFalse();
    }

    @Test
    void thresholdAndPolicyMoveTheRelativeGate() throws Exception {
        RunStore store = RunStore.open(root);
        Sidecar s = SidecarFixtures.variant("t", "1n1l2c1t", 9);
        RunDir a = SidecarFixtures.writeRun(store, List.of(s.toBuilder().stats(withGap(s, 1000)).build()));
        RunDir b = SidecarFixtures.writeRun(store, List.of(s.toBuilder().stats(withGap(s, 1600)).build()));
        // +60 %: above the default 50 % gate
        assertThat(CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), b.id())).hasRegression()).isTrue();
        CompareOptions lax = CompareOptions.runs(a.id(), b.id()).withPolicy(ThresholdPolicy.uniform(70));
        assertThat(metric(CompareEngine.compare(pool(store), lax).pairs().get(0).deltas(), "worst_gap_ms").verdict())
                .isEqualTo(Verdict.UNCHANGED);
        Path policy = root.resolve("policy.json");
        Files.writeString(policy, "{\"default_percent\": 5, \"metrics\": {\"worst_gap_ms\": 80}}");
        ThresholdPolicy p = ThresholdPolicy.load(policy);
        assertThat(metric(CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), b.id()).withPolicy(p))
                .pairs().get(0).deltas(), "worst_gap_ms").verdict()).isEqualTo(Verdict.UNCHANGED);
        Files.writeString(policy, "{\"metrics\": {\"worst_gapms\": 80}}");
        assertThatThrownBy(() -> ThresholdPolicy.load(policy)).hasMessageContaining("unknown metric 'worst_gapms'");
    }

    /** A short test's gaps never reach the registry's 500 ms absolute gate; a policy's "absolute" moves it. */
    @Test
    void aPolicyMovesTheAbsoluteGate() throws Exception {
        RunStore store = RunStore.open(root);
        Sidecar s = SidecarFixtures.variant("t", "1n1l2c1t", 9);
        RunDir a = SidecarFixtures.writeRun(store, List.of(s.toBuilder().stats(withGap(s, 45)).build()));
        RunDir b = SidecarFixtures.writeRun(store, List.of(s.toBuilder().stats(withGap(s, 180)).build()));
        assertThat(metric(CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), b.id())).pairs().get(0).deltas(),
                "worst_gap_ms").verdict()).as("+135 ms: under the registry's 500 ms").isEqualTo(Verdict.UNCHANGED);
        Path policy = root.resolve("abs.json");
        Files.writeString(policy, "{\"absolute\": {\"worst_gap_ms\": 20}}");
        MetricDelta gap = metric(CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), b.id())
                .withPolicy(ThresholdPolicy.load(policy))).pairs().get(0).deltas(), "worst_gap_ms");
        assertThat(gap.verdict()).isEqualTo(Verdict.REGRESSION);
        assertThat(gap.absGate()).isEqualTo(20.0);
        Files.writeString(policy, "{\"absolute\": {\"worst_gap_ms\": -1}}");
        assertThatThrownBy(() -> ThresholdPolicy.load(policy)).hasMessageContaining("must be a number >= 0");
        Files.writeString(policy, "{\"absolut\": {}}");
        assertThatThrownBy(() -> ThresholdPolicy.load(policy)).hasMessageContaining("known: default_percent, metrics, absolute");
    }

    @Test
    void growthFromZeroPastTheAbsoluteGateCounts() throws Exception {
        RunStore store = RunStore.open(root);
        Sidecar s = SidecarFixtures.variant("t", "1n1l2c1t", 9);
        RunDir a = SidecarFixtures.writeRun(store, List.of(s.toBuilder().monitor(monitor(0)).build()));
        RunDir b = SidecarFixtures.writeRun(store, List.of(s.toBuilder().monitor(monitor(3)).build()));
        MetricDelta d = metric(CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), b.id())).pairs().get(0).deltas(),
                "stall_count");
        assertThat(d.verdict()).isEqualTo(Verdict.REGRESSION);
        assertThat(d.rel()).isInfinite();
    }

    @Test
    void averagingMergesHistogramsAcrossRunsAndNoAverageRefusesDuplicates() throws Exception {
        RunStore store = RunStore.open(root);
        SidecarFixtures.writeRun(store, SidecarFixtures.gauntlet(1));
        SidecarFixtures.writeRun(store, SidecarFixtures.gauntlet(2));
        List<Sidecar> onOther = new ArrayList<>();
        for (Sidecar s : SidecarFixtures.gauntlet(3)) {
            onOther.add(s.toBuilder().kernelVersion("6.13.1").build());
        }
        SidecarFixtures.writeRun(store, onOther);
        CompareOptions byKernel = new CompareOptions(SideFilter.none(),
                new SideFilter(Map.of(Dimension.KERNEL, Set.of("6.12"))),
                new SideFilter(Map.of(Dimension.KERNEL, Set.of("6.13"))), null, true, null, null);
        CompareReport r = CompareEngine.compare(pool(store), byKernel);
        assertThat(r.runsA()).isEqualTo(2);
        assertThat(r.runsB()).isEqualTo(1);
        assertThat(r.pairs()).hasSize(6).allSatisfy(p -> {
            assertThat(p.a().contributors()).hasSize(2);
            assertThat(p.a().mergedHistograms().get("cg_0").getTotalCount()).isEqualTo(40_000);
        });
        assertThat(r.hasRegression()).isFalse();
        assertThatThrownBy(() -> CompareEngine.compare(pool(store), byKernel.withAverage(false)))
                .hasMessageContaining("--no-average").hasMessageContaining("side A has 2 sidecars");
        CompareReport filtered = CompareEngine.compare(pool(store), byKernel.withPattern("pipe_pingpong 1n2l"));
        assertThat(filtered.pairs()).hasSize(1);
    }

    @Test
    void failedAndSkippedSidesAreCountedNotCompared() throws Exception {
        RunStore store = RunStore.open(root);
        List<Sidecar> base = SidecarFixtures.gauntlet(1);
        RunDir a = SidecarFixtures.writeRun(store, base);
        List<Sidecar> b = new ArrayList<>(base.subList(0, 4));
        b.set(0, b.get(0).toBuilder().failed("stuck 4500ms on cpu1").build());
        b.add(Sidecar.builder("brand_new").topology("1n1l2c1t").scheduler("scx_qmap").kernelVersion("6.12.117")
                .projectCommit("9e4d7fe").build());
        RunDir rb = SidecarFixtures.writeRun(store, b);
        CompareReport r = CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), rb.id()));
        assertThat(r.pairs()).hasSize(3);
        assertThat(r.excluded()).hasSize(1).first().asString().contains("B failed");
        assertThat(r.newInB()).hasSize(1).first().asString().startsWith("brand_new");
        assertThat(r.removedInB()).hasSize(2);
    }

    @Test
    void kernelFilterPrefixRules() {
        assertThat(SideFilter.kernelMatches("6.12", "6.12.117")).isTrue();
        assertThat(SideFilter.kernelMatches("6.1", "6.12.117")).isFalse();
        assertThat(SideFilter.kernelMatches("6.12.1", "6.12.117")).isFalse();
        assertThat(SideFilter.kernelMatches("6.13-rc2", "6.13-rc2")).isTrue();
        assertThat(SideFilter.matchesOne(Dimension.COMMIT, "9e4d7fe", "9e4d7fe-dirty")).isTrue();
        assertThat(SideFilter.matchesOne(Dimension.COMMIT, "9e4d7fe-dirty", "9e4d7fe")).isFalse();
    }

    private static MonitorSummary monitor(long stalls) {
        return new MonitorSummary(80, 1.2, 4, stalls, 10, 3, stalls == 0, "m");
    }

    private static dev.ktstr.protocol.sidecar.SidecarStats withGap(Sidecar s, double gap) {
        var st = s.stats();
        return new dev.ktstr.protocol.sidecar.SidecarStats(st.cgroups(), st.totalWorkers(), st.totalCpus(),
                st.totalMigrations(), st.worstSpread(), gap, st.worstGapCpu(), st.worstMigrationRatio(),
                st.worstP99WakeLatencyUs(), st.worstMedianWakeLatencyUs(), st.worstWakeLatencyCv(), st.totalIterations(),
                st.worstMeanRunDelayUs(), st.worstRunDelayUs(), st.worstPageLocality(), st.worstCrossNodeMigrationRatio(),
                st.worstWakeLatencyTailRatio(), st.worstIterationsPerWorker(), st.extMetrics());
    }

    static MetricDelta metric(List<MetricDelta> ds, String name) {
        return ds.stream().filter(d -> d.metric().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no delta for " + name + " in " + ds));
    }

    /** Five replicas of one variant with these worst gaps (TCG-like spread), p99 wake latency doctored x3 on request. */
    private static RunDir replicas(RunStore store, long seed, double[] gapsMs, boolean doctor) throws Exception {
        List<Sidecar> out = new ArrayList<>();
        for (int k = 1; k <= gapsMs.length; k++) {
            Sidecar s = SidecarFixtures.variant("steady", "1n1l2c1t", seed + k * 31L).toBuilder().replica(k).build();
            s = SidecarFixtures.withGap(s, gapsMs[k - 1]);
            out.add(doctor ? SidecarFixtures.doctor(s) : s);
        }
        return SidecarFixtures.writeRun(store, out);
    }

    /**
     * Five replicas per side of one variant, a 1 % gate every noisy change passes: two samplings of one
     * distribution are within noise (no regression), a doctored side (p99 x3) is a regression the
     * noise test confirms; with fewer replicas than the minimum the gates alone decide, and the report says so.
     */
    @Test
    void replicasTellNoiseFromARealChange() throws Exception {
        RunStore store = RunStore.open(root);
        // B's gaps are 30 % higher on average, past both gates, but interleave with A's: noise, not a change
        RunDir a = replicas(store, 1, new double[] {1000, 1500, 2000, 2500, 3000}, false);
        RunDir same = replicas(store, 1000, new double[] {3100, 1600, 2600, 3600, 2100}, false);
        RunDir bad = replicas(store, 2000, new double[] {1000, 1500, 2000, 2500, 3000}, true);
        ThresholdPolicy tight = ThresholdPolicy.uniform(1.0);

        CompareReport noise = CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), same.id()).withPolicy(tight));
        assertThat(noise.pairs()).hasSize(1);
        CompareReport.Pair p = noise.pairs().get(0);
        assertThat(p.a().contributors()).hasSize(5);
        assertThat(p.noiseEstimated()).isTrue();
        assertThat(metric(p.deltas(), "worst_gap_ms").verdict()).as("the gaps differ by noise alone").isEqualTo(Verdict.WITHIN_NOISE);
        assertThat(p.deltas()).noneMatch(d -> d.verdict() == Verdict.REGRESSION || d.verdict() == Verdict.IMPROVEMENT);
        assertThat(noise.hasRegression()).isFalse();
        assertThat(noise.withinNoise()).isPositive();
        assertThat(noise.warnings()).noneMatch(w -> w.contains("no noise estimate"));
        assertThat(CompareText.table(noise, false, false)).contains("within noise").contains("no regression");

        CompareReport real = CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), bad.id()).withPolicy(tight));
        MetricDelta p99 = metric(real.pairs().get(0).deltas(), "worst_p99_wake_latency_us");
        assertThat(p99.verdict()).isEqualTo(Verdict.REGRESSION);
        assertThat(p99.noise().pValue()).isCloseTo(2.0 / 252, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(real.hasRegression()).isTrue();
        assertThat(HtmlReport.render(real)).contains("Replicas behind the changes").contains("data-kind=\"replicas\"");
        assertThat(CompareText.json(real)).contains("\"p_value\"").contains("mann-whitney-u two-sided");

        CompareReport gatesOnly = CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), same.id()).withPolicy(tight).withNoise(6, 0.05));
        assertThat(gatesOnly.pairs().get(0).noiseEstimated()).isFalse();
        assertThat(gatesOnly.warnings()).anyMatch(w -> w.contains("no noise estimate") && w.contains("A 5, B 5")
                && w.contains("--replicas"));
        assertThat(metric(gatesOnly.pairs().get(0).deltas(), "worst_gap_ms").verdict()).as("without a noise estimate the gates cry wolf")
                .isEqualTo(Verdict.REGRESSION);
    }

    /** Two builds' runs: each run has one project commit, so the commit goes with the sides instead of unpairing every variant. */
    @Test
    void runsOfTwoCommitsPairTheirVariantsAndSayTheCommitsDiffer() throws Exception {
        RunStore store = RunStore.open(root);
        List<Sidecar> base = SidecarFixtures.gauntlet(1);
        RunDir a = SidecarFixtures.writeRun(store, base);
        List<Sidecar> other = new ArrayList<>();
        for (Sidecar s : base) other.add(s.toBuilder().projectCommit("abcdef1").build());
        RunDir b = SidecarFixtures.writeRun(store, other);
        CompareReport r = CompareEngine.compare(pool(store), CompareOptions.runs(a.id(), b.id()));
        assertThat(r.pairs()).hasSize(6);
        assertThat(r.newInB()).isEmpty();
        assertThat(r.warnings()).anyMatch(w -> w.contains("the sides also differ in commit (A 9e4d7fe, B abcdef1)"));
        assertThat(SideFilter.matchesOne(Dimension.RUN, a.id(), a.id() + "-x4")).as("a run filter is a whole id").isFalse();
    }
}
