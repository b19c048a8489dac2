package dev.ktstr.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCgroup;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import dev.ktstr.protocol.sidecar.WakeLatencyHistograms;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import dev.ktstr.scenario.verify.ScenarioStats;
import dev.ktstr.scenario.verify.WorkerChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ScenarioSidecarsTest {

    static WorkerReport worker(String cgroup, int idx, long seed) {
        Random rnd = new Random(seed);
        Histogram h = WorkerReport.newLatencyHistogram();
        for (int i = 0; i < 5000; i++) {
            h.recordValue(20_000 + (long) (rnd.nextDouble() * 80_000));
        }
        return new WorkerReport(100 + idx, 100 + idx, cgroup, idx, "Bursty", 10_000, 2000, 900_000_000L, 1_000_000_000L,
                100_000_000L, 12 + idx, idx % 2, 300, 3, new TreeSet<>(List.of(0, 1)), List.of(),
                WorkerReport.encodeHistogram(h), 5000, 1_000_000L, 2000, 900_000_000L, null, 0, null, true, null, false);
    }

    @Test
    void mapsStatsAndMergesWorkerHistogramsPerCgroup() throws Exception {
        List<WorkerReport> cg0 = List.of(worker("cg_0", 0, 1), worker("cg_0", 1, 2));
        List<WorkerReport> cg1 = List.of(worker("cg_1", 2, 3));
        ScenarioStats stats = ScenarioStats.of(WorkerChecks.stats("cg_0", cg0, null))
                .merge(ScenarioStats.of(WorkerChecks.stats("cg_1", cg1, null)));
        List<WorkerReport> all = new ArrayList<>(cg0);
        all.addAll(cg1);
        Sidecar s = ScenarioSidecars.fromResult("bursty", AssertResult.pass(stats), all).topology("1n1l2c1t").build();
        assertThat(SidecarCodec.validate(SidecarCodec.toTree(s))).isEmpty();
        assertThat(s.passed()).isTrue();
        SidecarCgroup c0 = s.stats().cgroups().get(0);
        assertThat(c0.name()).isEqualTo("cg_0");
        assertThat(c0.wakeSampleTotal()).isEqualTo(10_000);
        Histogram merged = WakeLatencyHistograms.decode(c0.wakeLatencyHdr());
        assertThat(merged.getTotalCount()).isEqualTo(10_000);
        assertThat(merged.getValueAtPercentile(99) / 1000.0).isCloseTo(c0.p99WakeLatencyUs(), org.assertj.core.data.Offset.offset(0.5));
        assertThat(s.stats().worstGapMs()).isEqualTo(14); // worker 2 of cg_1
        assertThat(s.stats().totalWorkers()).isEqualTo(3);
    }

    @Test
    void skipAndFailCarryTheirReason() {
        Sidecar skipped = ScenarioSidecars.fromResult("t", AssertResult.skip("needs 2 LLCs"), List.of()).build();
        assertThat(skipped.skipped()).isTrue();
        assertThat(skipped.reason()).isEqualTo("needs 2 LLCs");
        assertThat(skipped.stats()).isNull();
        Sidecar failed = ScenarioSidecars.fromResult("t",
                AssertResult.fail(DetailKind.PAGE_LOCALITY, "locality 0.4 < 0.9"), List.of()).build();
        assertThat(failed.passed()).isFalse();
        assertThat(failed.reason()).isEqualTo("locality 0.4 < 0.9");
        assertThat(failed.details()).extracting(d -> d.kind()).containsExactly("PageLocality");
    }
}
