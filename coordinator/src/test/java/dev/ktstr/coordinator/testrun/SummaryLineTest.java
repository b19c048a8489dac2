package dev.ktstr.coordinator.testrun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.coordinator.RunSummary;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 17 item 5: one summary whose counts add up to the variants printed, not "1 results" beside "3 failed". */
class SummaryLineTest {
    static VariantOutcome with(String test, JobStatus status) {
        VariantOutcome o = SidecarMapperTest.outcome(test, "w", null);
        JobResult r = o.result();
        return new VariantOutcome(o.variant(), null, new JobResult(r.jobId(), r.variantName(), status, "m", "", "w", "tcg",
                Map.of(), 0, null));
    }

    @Test
    void countsEveryVariantIncludingThoseResolvedBeforeDispatch() {
        List<VariantOutcome> all = List.of(with("a", JobStatus.FAIL), with("b", JobStatus.FAIL), with("c", JobStatus.SKIP),
                with("d", JobStatus.TIMEOUT), with("e", JobStatus.PASS));
        // the coordinator ran only two of them (d, e); a, b, c were resolved before dispatch
        RunSummary ran = new RunSummary("r-1", Path.of("j"), List.of(all.get(3).result(), all.get(4).result()), 0, 12_300, 0.2, 15, 3);
        String line = TestRun.summaryLine(all, 3, 0, ran, Path.of("/runs/r-1"));
        assertThat(line).isEqualTo("ktstr: 5 variant(s): 1 passed, 3 failed (1 timed out, 0 infrastructure), 1 skipped"
                + " [3 resolved before dispatch]; run r-1 12.3 s, coordinator 15 us/job; sidecars in /runs/r-1");
    }

    @Test
    void aRunWithNothingDispatchedStillSaysWhereItsSidecarsAre() {
        String line = TestRun.summaryLine(List.of(with("a", JobStatus.SKIP)), 1, 0, null, Path.of("/runs/r-2"));
        assertThat(line).isEqualTo("ktstr: 1 variant(s): 0 passed, 0 failed (0 timed out, 0 infrastructure), 1 skipped"
                + " [1 resolved before dispatch]; sidecars in /runs/r-2");
    }
}
