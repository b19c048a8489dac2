package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several JVMs on 127.0.0.1 with the fake backend: a coordinator and workers, one of them killed
 * with SIGKILL; then the coordinator killed and the run resumed.
 */
class ClusterFailoverIT {

    static final int JOBS = 2000;

    @TempDir
    Path tmp;

    private Jvm coordinator(String name, int port, String... extra) throws IOException {
        List<String> a = new ArrayList<>(List.of("coordinator", "--bind", "127.0.0.1:" + port, "--runs-dir",
                tmp.resolve("runs").toString(), "--progress-interval", "2", "--sbr-stable-after", "3"));
        a.addAll(List.of(extra));
        return Jvm.start(name, tmp, a.toArray(String[]::new));
    }

    private Jvm worker(String name, int port) throws IOException {
        return Jvm.start(name, tmp, "worker", "--join", "127.0.0.1:" + port, "--fake", "--fake-ms", "40", "--slots", "4",
                "--fake-exec-log", tmp.resolve(name + ".exec").toString(), "--cache-dir", tmp.resolve("cache-" + name).toString(),
                "--sbr-stable-after", "3");
    }

    private long resultLines(Path journal) throws IOException {
        if (!Files.exists(journal)) return 0;
        try (var lines = Files.lines(journal)) {
            return lines.filter(l -> l.startsWith("{\"type\":\"result\"")).count();
        }
    }

    private void awaitResults(Path journal, long n, long seconds, Jvm... watch) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (resultLines(journal) < n) {
            if (System.nanoTime() > deadline) {
                StringBuilder b = new StringBuilder("journal has " + resultLines(journal) + " results, wanted " + n);
                for (Jvm j : watch) b.append("\n--- ").append(j.name).append(":\n").append(j.tail());
                throw new AssertionError(b.toString());
            }
            Thread.sleep(100);
        }
    }

    private Map<String, Integer> executions(String... names) throws IOException {
        Map<String, Integer> m = new HashMap<>();
        for (String n : names) {
            Path f = tmp.resolve(n + ".exec");
            if (!Files.exists(f)) continue;
            for (String line : Files.readAllLines(f)) {
                if (!line.isBlank()) m.merge(line.split(" ")[0], 1, Integer::sum);
            }
        }
        return m;
    }

    @Test
    void sigkilledWorkerMidRunStillYieldsOneResultPerJob() throws Exception {
        int port = Jvm.freePort();
        Path journal = RunJournal.pathFor(tmp.resolve("runs"), "it-kill");
        try (Jvm c = coordinator("coord", port, "--fake-jobs", String.valueOf(JOBS), "--run-id", "it-kill");
             Jvm w1 = worker("w1", port);
             Jvm w2 = worker("w2", port)) {
            awaitResults(journal, 600, 240, c, w1, w2);
            w2.kill();
            long atKill = resultLines(journal);
            int rc = c.awaitExit(300);
            assertThat(rc).as(c.tail()).isEqualTo(1); // the fake backend fails ~10% of ids on purpose
            assertThat(w1.awaitExit(60)).as(w1.tail()).isZero(); // the coordinator closed the run: clean exit
            assertThat(w1.output()).contains("coordinator finished");

            JournalState st = RunJournal.replay(journal);
            assertThat(st.jobs()).hasSize(JOBS);
            assertThat(st.results()).hasSize(JOBS);
            assertThat(st.duplicateResults()).isZero();
            assertThat(st.results().values()).noneMatch(r -> r.status() == JobStatus.INFRA_ERROR);
            assertThat(st.retries()).as("jobs in flight on the killed worker were re-queued").isNotEmpty();
            assertThat(st.results().values()).filteredOn(JobResult::attempt, 1).isNotEmpty();
            Map<String, Integer> exec = executions("w1", "w2");
            assertThat(exec.keySet()).containsAll(st.results().keySet());
            // only jobs the coordinator re-queued ran twice
            exec.forEach((id, n) -> {
                if (n > 1) assertThat(st.retries()).containsKey(id);
            });
            assertThat(c.output()).contains("[ktstr it-kill]").contains("jobs/s");
            System.out.printf("worker SIGKILLed after %d journaled results; %d results, %d re-queued attempts, %d jobs ran twice, "
                            + "%d executions in all%n", atKill, st.results().size(), st.retries().size(),
                    exec.values().stream().filter(n -> n > 1).count(), exec.values().stream().mapToInt(Integer::intValue).sum());
        }
    }

    @Test
    void killedCoordinatorResumesWithoutRerunningFinishedJobs() throws Exception {
        int port = Jvm.freePort();
        Path journal = RunJournal.pathFor(tmp.resolve("runs"), "it-resume");
        Set<String> doneBefore;
        try (Jvm c = coordinator("coord1", port, "--fake-jobs", String.valueOf(JOBS), "--run-id", "it-resume");
             Jvm a1 = worker("a1", port);
             Jvm a2 = worker("a2", port)) {
            awaitResults(journal, 700, 240, c, a1, a2);
            c.kill();
            // workers notice, exit on their own with a clear message instead of hanging
            assertThat(a1.awaitExit(90)).as(a1.tail()).isEqualTo(3);
            assertThat(a2.awaitExit(90)).as(a2.tail()).isEqualTo(3);
            assertThat(a1.output()).contains("lost contact with the coordinator");
            doneBefore = Set.copyOf(RunJournal.replay(journal).results().keySet());
        }
        assertThat(doneBefore.size()).isBetween(700, JOBS - 1);

        int port2 = Jvm.freePort();
        try (Jvm c = coordinator("coord2", port2, "--resume", "it-resume");
             Jvm b1 = worker("b1", port2);
             Jvm b2 = worker("b2", port2)) {
            c.awaitExit(300);
            b1.awaitExit(60);
            b2.awaitExit(60);
            assertThat(c.output()).contains("taken from the journal");
        }
        JournalState st = RunJournal.replay(journal);
        assertThat(st.results()).hasSize(JOBS);
        assertThat(st.duplicateResults()).isZero();
        Map<String, Integer> resumedExec = executions("b1", "b2");
        assertThat(resumedExec.keySet()).as("no finished job ran again").doesNotContainAnyElementsOf(doneBefore);
        Set<String> pending = new java.util.HashSet<>(st.results().keySet());
        pending.removeAll(doneBefore);
        assertThat(resumedExec.keySet()).containsAll(pending);
        Map<String, Integer> firstExec = executions("a1", "a2");
        doneBefore.forEach(id -> assertThat(firstExec.get(id)).as("job %s ran once before the crash", id).isEqualTo(1));
        System.out.printf("coordinator SIGKILLed after %d journaled results; resume ran %d jobs (%d executions), 0 of the %d"
                        + " finished ones; %d results in the journal, %d duplicates%n", doneBefore.size(), resumedExec.size(),
                resumedExec.values().stream().mapToInt(Integer::intValue).sum(), doneBefore.size(), st.results().size(),
                st.duplicateResults());
    }

    @Test
    void workerThatCannotReachACoordinatorExitsWithAClearMessage() throws Exception {
        int port = Jvm.freePort(); // nobody listens here
        try (Jvm w = Jvm.start("lonely", tmp, "worker", "--join", "127.0.0.1:" + port, "--fake", "--join-timeout", "4",
                "--cache-dir", tmp.resolve("c").toString())) {
            assertThat(w.awaitExit(90)).as(w.tail()).isEqualTo(3);
            assertThat(w.output()).contains("could not join the coordinator at 127.0.0.1:" + port);
        }
    }

    @Test
    void refusesToBindBeyondLoopbackWithoutTlsAndSecret() throws Exception {
        try (Jvm c = Jvm.start("open", tmp, "coordinator", "--bind", "0.0.0.0:" + Jvm.freePort(), "--fake-jobs", "1")) {
            assertThat(c.awaitExit(60)).isEqualTo(2);
            assertThat(c.output()).contains("refusing to bind").contains("--tls-keystore").contains("--secret-file");
        }
    }
}
