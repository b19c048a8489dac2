package dev.ktstr.coordinator.testrun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.job.JobStatus;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ktstr test}'s exit status: 0 all passed, 1 anything failed, 2 inconclusive and nothing failed. */
class ExitCodeTest {
    static TestRun.Result of(JobStatus... statuses) {
        List<VariantOutcome> outs = Arrays.stream(statuses).map(s -> {
            VariantOutcome f = ResultLinesTest.failed("m", null);
            var r = f.result();
            return new VariantOutcome(f.variant(), null, new dev.ktstr.protocol.job.JobResult(r.jobId(), r.variantName(), s, "m", "",
                    r.workerNode(), r.accelerator(), r.phaseTimingsMs(), r.attempt(), null));
        }).toList();
        return new TestRun.Result(null, outs, null, null);
    }

    @Test
    void failBeatsInconclusiveBeatsPass() {
        assertThat(of(JobStatus.PASS, JobStatus.SKIP).exitCode()).isZero();
        assertThat(of(JobStatus.PASS, JobStatus.INCONCLUSIVE).exitCode()).isEqualTo(2);
        assertThat(of(JobStatus.INCONCLUSIVE, JobStatus.FAIL).exitCode()).isEqualTo(1);
        assertThat(of(JobStatus.INCONCLUSIVE, JobStatus.TIMEOUT).exitCode()).isEqualTo(1);
        assertThat(of().exitCode()).isZero();
    }
}
