package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing waits forever: a coordinator SIGSTOPped for 25 s while two workers keep seeing each
 * other is downed (keep-oldest + down-if-alone). After SIGCONT it must end on its own: status 4
 * and a message saying to resume (or, if the cluster held, a normal end), never an endless await.
 */
class CoordinatorPauseIT {

    @TempDir
    Path tmp;

    private Jvm worker(String name, int port) throws Exception {
        return Jvm.start(name, tmp, "worker", "--join", "127.0.0.1:" + port, "--fake", "--fake-ms", "40", "--slots", "4",
                "--cache-dir", tmp.resolve("cache-" + name).toString(), "--sbr-stable-after", "3");
    }

    private static void signal(Jvm j, String sig) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(j.process.pid())).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }

    @Test
    void aPausedAndDownedCoordinatorExitsWithAMessageInsteadOfWaitingForever() throws Exception {
        int port = Jvm.freePort();
        Path journal = RunJournal.pathFor(tmp.resolve("runs"), "it-pause");
        try (Jvm c = Jvm.start("coord", tmp, "coordinator", "--bind", "127.0.0.1:" + port, "--runs-dir", tmp.resolve("runs").toString(),
                "--progress-interval", "2", "--sbr-stable-after", "3", "--fake-jobs", "1500", "--run-id", "it-pause");
             Jvm w1 = worker("w1", port);
             Jvm w2 = worker("w2", port)) {
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (!Files.exists(journal) || Files.readString(journal).split("\"type\":\"result\"", -1).length < 50) {
                if (System.nanoTime() > deadline) throw new AssertionError("no progress; " + c.tail());
                Thread.sleep(200);
            }
            signal(c, "STOP");
            Thread.sleep(25_000);
            signal(c, "CONT");
            int rc = c.awaitExit(90); // the fault: before the fix it never exited
            if (rc == 4) {
                assertThat(c.output()).contains("removed from the cluster").contains("--resume");
            } else {
                assertThat(rc).as("a run that survived the pause ends normally; " + c.tail()).isIn(0, 1);
            }
            JournalState st = RunJournal.replay(journal);
            assertThat(st.duplicateResults()).isZero();
            System.out.printf("coordinator paused 25 s: exit %d, %d of 1500 results journaled%n", rc, st.results().size());
            if (rc != 4) return;
        }
        // what the systemd unit does on exit 4 (RestartForceExitStatus=4): start again with --resume
        int port2 = Jvm.freePort();
        try (Jvm c = Jvm.start("coord2", tmp, "coordinator", "--bind", "127.0.0.1:" + port2, "--runs-dir",
                tmp.resolve("runs").toString(), "--sbr-stable-after", "3", "--resume", "it-pause");
             Jvm b1 = worker("b1", port2);
             Jvm b2 = worker("b2", port2)) {
            assertThat(c.awaitExit(240)).as(c.tail()).isEqualTo(1); // complete; the fake backend fails ~10% of ids
        }
        JournalState done = RunJournal.replay(journal);
        assertThat(done.results()).hasSize(1500);
        assertThat(done.duplicateResults()).isZero();
    }
}
