package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Results of any size arrive: a worker JVM whose results are 2 MiB each (over Artery's 1 MiB frame, which
 * drops such a message and would have it re-sent forever) sends them in parts; the coordinator JVM journals
 * every one whole.
 */
class ClusterLargeResultIT {

    static final int JOBS = 4;
    static final int LOG_BYTES = 2 * 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void twoMebibyteResultsCrossTheClusterWhole() throws Exception {
        int port = Jvm.freePort();
        Path journal = RunJournal.pathFor(tmp.resolve("runs"), "it-large");
        try (Jvm c = Jvm.start("coord", tmp, "coordinator", "--bind", "127.0.0.1:" + port, "--runs-dir", tmp.resolve("runs").toString(),
                "--sbr-stable-after", "3", "--fake-jobs", String.valueOf(JOBS), "--run-id", "it-large", "--idle-limit", "120");
             Jvm w = Jvm.start("w1", tmp, "worker", "--join", "127.0.0.1:" + port, "--fake", "--fake-ms", "40", "--slots", "2",
                     "--fake-fail-percent", "0", "--fake-result-bytes", String.valueOf(LOG_BYTES),
                     "--cache-dir", tmp.resolve("cache-w1").toString(), "--sbr-stable-after", "3")) {
            assertThat(c.awaitExit(240)).as(c.tail()).isZero();
            assertThat(w.awaitExit(60)).as(w.tail()).isZero();
            assertThat(c.output()).doesNotContain("ignored JobFinishedPart").doesNotContain("oversized");
            assertThat(w.output()).doesNotContain("oversized");
        }
        JournalState st = RunJournal.replay(journal);
        assertThat(st.results()).hasSize(JOBS);
        for (JobResult r : st.results().values()) {
            assertThat(r.status()).isEqualTo(JobStatus.PASS);
            assertThat(r.outcome()).as(r.jobId()).isNotNull();
            String log = r.outcome().logs().guest();
            assertThat(log).hasSize(LOG_BYTES).startsWith(r.jobId() + "\n");
        }
    }
}
