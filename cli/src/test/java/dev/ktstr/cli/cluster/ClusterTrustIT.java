package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.worker.FakeJobExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may say what, between real JVMs on 127.0.0.1: a node without the run's secret joins the
 * cluster and sends every message kind both ways; the run's results are what the real workers
 * produced, and the coordinator and workers log what they dropped.
 */
class ClusterTrustIT {

    static final int JOBS = 200;

    @TempDir
    Path tmp;

    private Jvm worker(String name, int port) throws IOException {
        return Jvm.start(name, tmp, "worker", "--join", "127.0.0.1:" + port, "--fake", "--fake-ms", "40", "--slots", "4",
                "--fake-exec-log", tmp.resolve(name + ".exec").toString(), "--cache-dir", tmp.resolve("cache-" + name).toString(),
                "--sbr-stable-after", "3");
    }

    private static void awaitLine(Jvm j, String text, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!j.output().contains(text)) {
            if (System.nanoTime() > deadline || !j.process.isAlive()) {
                throw new AssertionError(j.name + " never printed '" + text + "'; log tail:\n" + j.tail());
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aRogueNodeWithoutTheSecretIsIgnoredAndTheResultsAreUnchanged() throws Exception {
        int port = Jvm.freePort();
        Path journal = RunJournal.pathFor(tmp.resolve("runs"), "it-rogue");
        try (Jvm c = Jvm.start("coord", tmp, "coordinator", "--bind", "127.0.0.1:" + port, "--runs-dir", tmp.resolve("runs").toString(),
                "--progress-interval", "2", "--sbr-stable-after", "3", "--fake-jobs", String.valueOf(JOBS), "--run-id", "it-rogue");
             Jvm rogue = Jvm.startMain("rogue", tmp, List.of("-Xmx192m", "-XX:TieredStopAtLevel=1"), RogueNode.class.getName(),
                     "127.0.0.1:" + port, "it-rogue", String.valueOf(JOBS))) {
            // the rogue is a cluster member and has registered the coordinator key before any worker looks
            awaitLine(rogue, "rogue: found coordinator", 120);
            try (Jvm w1 = worker("w1", port); Jvm w2 = worker("w2", port)) {
                int rc = c.awaitExit(300);
                assertThat(rc).as(c.tail()).isEqualTo(1); // the fake backend fails ~10% of ids on purpose
                assertThat(w1.awaitExit(60)).as(w1.tail()).isZero();
                assertThat(w2.awaitExit(60)).as(w2.tail()).isZero();
                assertThat(w1.output()).contains("coordinator finished").doesNotContain("rogue says");

                JournalState st = RunJournal.replay(journal);
                assertThat(st.results()).hasSize(JOBS);
                assertThat(st.duplicateResults()).isZero();
                for (JobResult r : st.results().values()) {
                    assertThat(r.message()).isNotEqualTo("ROGUE");
                    assertThat(r.workerNode()).isNotEqualTo("rogue");
                    // exactly what the fake backend decides for that id: no forged verdict got through
                    assertThat(r.status()).as(r.jobId()).isEqualTo(
                            FakeJobExecutor.failsById(r.jobId(), 10) ? JobStatus.FAIL : JobStatus.PASS);
                }
                // the rogue's own jobs never ran on a real worker
                List<String> executed = new ArrayList<>();
                for (String n : List.of("w1", "w2")) {
                    Path f = tmp.resolve(n + ".exec");
                    if (Files.exists(f)) executed.addAll(Files.readAllLines(f));
                }
                assertThat(executed).hasSizeGreaterThanOrEqualTo(JOBS);
                assertThat(executed).allSatisfy(l -> assertThat(st.results()).containsKey(l.split(" ")[0]));

                String log = c.output();
                assertThat(log).contains("ignored RequestWork").contains("ignored JobFinished").contains("ignored JobPhase")
                        .contains("ignored FetchChunk");
                String wlog = w1.output() + w2.output();
                assertThat(rogue.output()).contains("rogue: worker asked us for work");
                assertThat(wlog).contains("ignored AssignJobs").contains("ignored ResultAck").contains("ignored CoordinatorClosing");
            }
        }
    }
}
