package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.journal.RunJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Nothing waits forever: a coordinator whose run never gets a worker ends with a message and exit status 2. */
class ClusterIdleIT {

    @TempDir
    Path tmp;

    @Test
    void aRunNoWorkerJoinsFailsAfterTheIdleLimitAndCanBeResumed() throws Exception {
        int port = Jvm.freePort();
        try (Jvm c = Jvm.start("coord", tmp, "coordinator", "--bind", "127.0.0.1:" + port, "--runs-dir", tmp.resolve("runs").toString(),
                "--fake-jobs", "5", "--run-id", "it-idle", "--idle-limit", "3")) {
            assertThat(c.awaitExit(120)).as(c.tail()).isEqualTo(2);
            assertThat(c.output()).contains("no worker joined").contains("idle limit").contains("--resume it-idle");
        }
        assertThat(Files.exists(RunJournal.pathFor(tmp.resolve("runs"), "it-idle"))).isTrue();
        assertThat(RunJournal.replay(RunJournal.pathFor(tmp.resolve("runs"), "it-idle")).jobs()).hasSize(5);
    }
}
