package dev.ktstr.scenario.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.runtime.WorkerSpec;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.verify.Assert;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.WorkerChecks;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.MpolFlags;
import dev.ktstr.scenario.work.Phase;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class JsonRoundTripTest {

    @Test
    void workerReportRoundTripsIncludingHistogram() {
        Histogram h = WorkerReport.newLatencyHistogram();
        for (int i = 1; i <= 100_000; i++) h.recordValue(i * 10L);
        WorkerReport r = new WorkerReport(10, 11, "cg_0/sub", 1, "Bursty", 5000, 50, 900, 1000, 100, 12, 3, 400, 2,
                new TreeSet<>(List.of(1, 3)), List.of(new Migration(5, 1, 3)), WorkerReport.encodeHistogram(h), 100_000,
                7, 8, 9, Map.of(0, 10L, 1, 2L), 1, new JvmNoise(1, 2, 3), true, null, false);
        String json = ReportJson.write(r);
        assertThat(json).doesNotContain("offCpuPct").doesNotContain("totalNumaPages");
        WorkerReport back = ReportJson.read(json, WorkerReport.class);
        assertThat(back).isEqualTo(r);
        assertThat(back.wakeLatencies().getTotalCount()).isEqualTo(100_000);
        assertThat(back.wakeLatencies().getValueAtPercentile(50)).isBetween(499_000L, 501_000L);
        assertThat(r.wakeLatencyHistogram().length()).isLessThan(2000);
        WorkerReport s = WorkerReport.sentinel(4, "a", 0, "CpuSpin", ExitInfo.timedOut());
        assertThat(ReportJson.read(ReportJson.write(s), WorkerReport.class)).isEqualTo(s);
    }

    @Test
    void everyWorkTypeRoundTripsInAWorkerSpec() {
        List<WorkType> all = new ArrayList<>();
        for (String n : WorkType.ALL_NAMES) {
            if (!n.equals("Sequence") && !n.equals("Custom")) all.add(WorkType.fromName(n));
        }
        all.add(WorkType.sequence(Phase.spinMs(5), Phase.sleepMs(2), Phase.ioMs(1)));
        all.add(new WorkType.Custom("mine", "com.example.Mine", Map.of("k", "v")));
        assertThat(all).hasSize(20);
        assertThat(all).extracting(WorkType::name).containsExactlyInAnyOrderElementsOf(WorkType.ALL_NAMES);
        for (WorkType wt : all) {
            WorkerSpec spec = new WorkerSpec("cg", 0, wt.groupSize(), wt, SchedPolicy.fifo(3), new TreeSet<>(List.of(0, 2)),
                    MemPolicy.interleave(0, 1), MpolFlags.STATIC_NODES, 5);
            String json = ReportJson.write(spec);
            assertThat(json).contains("\"type\":\"" + wt.name() + "\"");
            assertThat(ReportJson.read(json, WorkerSpec.class)).isEqualTo(spec);
        }
    }

    @Test
    void assertResultAndConfigRoundTrip() {
        AssertResult r = WorkerChecks.check("cg", List.of(WorkerReport.sentinel(1, "cg", 0, "CpuSpin", ExitInfo.exited(3))),
                Assert.defaultChecks(), null, null);
        assertThat(ReportJson.read(ReportJson.write(r), AssertResult.class)).isEqualTo(r);
        String assertJson = ReportJson.write(Assert.defaultChecks());
        assertThat(assertJson).doesNotContain("gapLimitMs").doesNotContain("hasWorkerChecks").contains("\"maxImbalanceRatio\":4.0");
        assertThat(ReportJson.read(assertJson, Assert.class)).isEqualTo(Assert.defaultChecks());
        Scheduler s = Scheduler.builder("x").discover("scx_x").sysctl("kernel.a", "1").karg("quiet").cgroupParent("/cells").build();
        assertThat(ReportJson.read(ReportJson.write(s), Scheduler.class)).isEqualTo(s);
        assertThat(ReportJson.read(ReportJson.write(TestConfig.DEFAULT), TestConfig.class)).isEqualTo(TestConfig.DEFAULT);
    }
}
