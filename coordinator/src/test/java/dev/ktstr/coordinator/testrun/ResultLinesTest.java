package dev.ktstr.coordinator.testrun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.outcome.VmLogs;
import dev.ktstr.protocol.outcome.VmOutcome;
import dev.ktstr.coordinator.plan.PlanTest;
import dev.ktstr.coordinator.plan.Variant;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.scenario.report.ReportJson;
import dev.ktstr.scenario.verify.AssertDetail;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ResultLinesTest {

    static VariantOutcome failed(String message, VmOutcome payload) {
        PlanTest d = PlanTest.defaults("t");
        PlanTest t = new PlanTest(d.id(), d.name(), "scx_simple", d.declaredFlags(), d.requiredFlags(), d.excludedFlags(), d.topology(),
                d.constraints(), d.memoryMb(), d.durationS(), d.workersPerCgroup(), d.performanceMode(), d.hostOnly(), d.expectErr());
        Variant v = new Variant("ktstr/t", t.id(), t, t.topology(), null, List.of(), null, 10, false, 1024, false, false);
        return new VariantOutcome(v, null, new JobResult("job-t", v.name(), JobStatus.FAIL, message, "", "w", "tcg",
                Map.of(), 0, payload));
    }

    static VmOutcome payload() throws Exception {
        return payload(null);
    }

    static VmOutcome payload(SchedExit schedExit) throws Exception {
        AssertResult checks = AssertResult.fail(new AssertDetail(DetailKind.STARVED, "cg_0 worker 3 ran 0 times"))
                .merge(AssertResult.fail("gap 2500ms > 2000ms"));
        VmLogs logs = new VmLogs("[ 1.0] boot\nKTSTR_EXIT=1",
                IntStream.rangeClosed(1, 50).mapToObj(i -> "guest line " + i).collect(Collectors.joining("\n")), "", 0);
        return new VmOutcome(null, null, ReportJson.mapper().valueToTree(checks), null, schedExit, null, List.of(), List.of(), null,
                List.of(), null, null, null, List.of(), logs, null, null, null);
    }

    @Test
    void reportStartsWithTheBugSummaryThenEachCheckOnItsOwnLine() throws Exception {
        String r = ResultLines.failureReport(failed("STARVED: cg_0 worker 3 ran 0 times", payload()), Path.of("/runs/x/t.log"));
        List<String> lines = r.lines().toList();
        assertThat(lines.get(0)).isEqualTo("BUG SUMMARY: FAIL STARVED: cg_0 worker 3 ran 0 times");
        assertThat(lines.get(1)).isEqualTo("ktstr_test 'ktstr/t' [sched=scx_simple] [topo=" + PlanTest.defaults("t").topology().render() + "] failed:");
        assertThat(lines).contains("  STARVED: cg_0 worker 3 ran 0 times", "  OTHER: gap 2500ms > 2000ms");
        assertThat(r).doesNotContain("?");
        // the check is named twice (summary, details), not three times as the old joined report did
        assertThat(r.split("worker 3 ran 0 times", -1)).hasSize(3);
        assertThat(lines).contains("--- guest log (last lines) ---", "--- console (last lines) ---", "KTSTR_EXIT=1",
                "guest line 50", "... 20 earlier lines in the full log");
        assertThat(lines).doesNotContain("guest line 20");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("full log: /runs/x/t.log");
    }

    @Test
    void aSchedulerErrorIsTheBugSummaryEvenWhenChecksFailedToo() throws Exception {
        VmOutcome p = payload(new SchedExit(SchedExit.Reason.EXITED, 1, "disabled", "scx_simple: task stalled for 5s", "", "", 1000, true, null));
        String r = ResultLines.failureReport(failed("scheduler died", p), null);
        assertThat(r.lines().findFirst()).hasValue("BUG SUMMARY: FAIL scheduler error: EXITED scx_simple: task stalled for 5s");
        assertThat(r).endsWith("full log: (none written)");
    }

    @Test
    void aResultWithoutPayloadStillSaysWhatFailed() {
        String r = ResultLines.failureReport(failed("guest agent produced no result (VM exited)", null), null);
        assertThat(r.lines().findFirst()).hasValue("BUG SUMMARY: FAIL guest agent produced no result (VM exited)");
        assertThat(r).contains("  guest agent produced no result (VM exited)");
    }

    /** The report of a real scx_qmap -e 5000 run a test did not expect (VerdictTest's recording). */
    @Test
    void theScxBpfErrorTextIsTheFirstLineAndTheDumpHasItsSection() throws Exception {
        JobResult r;
        try (var in = ResultLinesTest.class.getResourceAsStream("/dev/ktstr/coordinator/verdict/sched-error-qmap-unexpected.json")) {
            r = new com.fasterxml.jackson.databind.ObjectMapper().readValue(in, JobResult.class);
        }
        PlanTest d = PlanTest.defaults("t");
        Variant v = new Variant("ktstr/qmap_bpf_error_unexpected", d.id(), d, d.topology(), null, List.of(), null, 10, false, 1024, false, false);
        String report = ResultLines.failureReport(new VariantOutcome(v, null, r), null);
        List<String> lines = report.lines().toList();
        assertThat(lines.get(0)).isEqualTo("BUG SUMMARY: FAIL scheduler error: scx_bpf_error: test triggering error");
        assertThat(lines.get(2)).isEqualTo("  scheduler error: scx_bpf_error: test triggering error");
        int dump = lines.indexOf("--- sched_ext dump ---");
        assertThat(dump).isPositive();
        assertThat(lines.get(dump + 1)).isEqualTo("kw-cg_0-0[155] triggered exit kind 1025:");
        assertThat(lines.get(dump + 2)).isEqualTo("  scx_bpf_error (test triggering error)");
        // the guest's SCHEDULER_DIED line no longer carries the log tail; the dump is shown once
        assertThat(report.split("triggered exit kind 1025", -1)).hasSize(2);
    }
}
