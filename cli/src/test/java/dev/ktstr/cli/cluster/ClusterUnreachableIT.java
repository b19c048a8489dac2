package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unreachable is not dead: a worker paused (SIGSTOP) long enough for the failure detector (10 s) but
 * shorter than the downing (stable-after 25 s) comes back with its jobs, and no job runs twice. Paused
 * for longer, it is downed: its jobs are re-queued as their next attempt and run by the other worker,
 * the old attempts are fenced (each job decided once), and the downed worker exits non-zero saying so.
 */
class ClusterUnreachableIT {

    static final int JOBS = 40;

    @TempDir
    Path tmp;

    private Jvm worker(String name, int port) throws Exception {
        return workerDownedAfter(name, port, "25");
    }

    private static void signal(Jvm j, String sig) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(j.process.pid())).inheritIO().start().waitFor()).isZero();
    }

    private List<String> executions(String... names) throws Exception {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            Path f = tmp.resolve(n + ".exec");
            if (Files.exists(f)) out.addAll(Files.readAllLines(f));
        }
        return out;
    }

    @Test
    void aWorkerPausedShorterThanTheDowningKeepsItsJobsAndNoJobRunsTwice() throws Exception {
        int port = Jvm.freePort();
        Path journal = RunJournal.pathFor(tmp.resolve("runs"), "it-unreachable");
        String coordinatorLog;
        try (Jvm c = Jvm.start("coord", tmp, "coordinator", "--bind", "127.0.0.1:" + port, "--runs-dir", tmp.resolve("runs").toString(),
                "--progress-interval", "2", "--sbr-stable-after", "25", "--fake-jobs", String.valueOf(JOBS), "--run-id", "it-unreachable");
             Jvm w1 = worker("w1", port);
             Jvm w2 = worker("w2", port)) {
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (executions("w1").isEmpty() || executions("w2").isEmpty()) {
                if (System.nanoTime() > deadline) throw new AssertionError("both workers never ran a job; " + c.tail());
                Thread.sleep(100);
            }
            signal(w1, "STOP");
            Thread.sleep(15_000);
            signal(w1, "CONT");
            assertThat(c.awaitExit(240)).as(c.tail()).isZero();
            assertThat(w1.awaitExit(60)).as(w1.tail()).isZero();
            assertThat(w2.awaitExit(60)).as(w2.tail()).isZero();
            coordinatorLog = c.output();
        }
        JournalState st = RunJournal.replay(journal);
        assertThat(st.results()).hasSize(JOBS);
        assertThat(st.duplicateResults()).isZero();
        List<String> ran = executions("w1", "w2");
        Set<String> ids = new HashSet<>();
        for (String line : ran) assertThat(ids.add(line.split(" ")[0])).as("job ran twice: " + line + " in " + ran).isTrue();
        assertThat(ids).hasSize(JOBS);
        // the premise: the pause was seen (else this test shows nothing), and did not lead to a downing
        // (a worker's node id is its cluster address)
        assertThat(coordinatorLog).contains("is unreachable; its").contains("is reachable again; it kept its")
                .doesNotContain("removed from the cluster; re-queued");
    }

    @Test
    void aWorkerPausedLongerThanTheDowningIsRemovedItsJobsRunElsewhereAndEachJobIsDecidedOnce() throws Exception {
        int port = Jvm.freePort();
        Path journal = RunJournal.pathFor(tmp.resolve("runs"), "it-downed");
        String coordinatorLog;
        String w1Log;
        int w1Exit;
        try (Jvm c = Jvm.start("coord", tmp, "coordinator", "--bind", "127.0.0.1:" + port, "--runs-dir", tmp.resolve("runs").toString(),
                "--progress-interval", "2", "--sbr-stable-after", "10", "--fake-jobs", String.valueOf(JOBS), "--run-id", "it-downed");
             Jvm w1 = workerDownedAfter("w1", port, "10");
             Jvm w2 = workerDownedAfter("w2", port, "10")) {
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (executions("w1").isEmpty() || executions("w2").isEmpty()) {
                if (System.nanoTime() > deadline) throw new AssertionError("both workers never ran a job; " + c.tail());
                Thread.sleep(100);
            }
            signal(w1, "STOP");
            // failure detector ~10 s + stable-after 10 s: downed well within the pause
            deadline = System.nanoTime() + 90_000_000_000L;
            while (!c.output().contains("removed from the cluster; re-queued")) {
                if (System.nanoTime() > deadline) throw new AssertionError("the paused worker was never removed; " + c.tail());
                Thread.sleep(200);
            }
            Thread.sleep(3_000);
            signal(w1, "CONT");
            assertThat(c.awaitExit(240)).as(c.tail()).isZero();
            w1Exit = w1.awaitExit(60);
            assertThat(w2.awaitExit(60)).as(w2.tail()).isZero();
            coordinatorLog = c.output();
            w1Log = w1.output();
        }
        JournalState st = RunJournal.replay(journal);
        assertThat(st.results()).hasSize(JOBS);
        assertThat(st.duplicateResults()).isZero();
        assertThat(st.results().values()).allSatisfy(r -> assertThat(r.status()).isEqualTo(dev.ktstr.protocol.job.JobStatus.PASS));
        // the paused worker's jobs ran again elsewhere as their next attempt; no attempt ran twice
        List<String> ran = executions("w1", "w2");
        Set<String> attempts = new HashSet<>();
        for (String line : ran) assertThat(attempts.add(line)).as("attempt ran twice: " + line + " in " + ran).isTrue();
        assertThat(st.results().values()).as("a re-queued job's result is its later attempt's")
                .anyMatch(r -> r.attempt() > 0);
        assertThat(coordinatorLog).contains("is unreachable; its").contains("removed from the cluster; re-queued");
        assertThat(w1Exit).as("the downed worker's exit status; its log:\n%s", w1Log).isNotZero();
        assertThat(w1Log).contains("ktstr worker: ");
    }

    private Jvm workerDownedAfter(String name, int port, String stableAfter) throws Exception {
        return Jvm.start(name, tmp, "worker", "--join", "127.0.0.1:" + port, "--fake", "--fake-ms", "3000", "--slots", "2",
                "--fake-fail-percent", "0", "--fake-exec-log", tmp.resolve(name + ".exec").toString(),
                "--cache-dir", tmp.resolve("cache-" + name).toString(), "--sbr-stable-after", stableAfter);
    }
}
