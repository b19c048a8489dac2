package dev.ktstr.coordinator.testrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.results.RunInfo;
import dev.ktstr.results.RunStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd unit starts {@code --run-id %i} when the run has no journal and {@code --resume %i}
 * when it has one: a coordinator that died between creating the run dir and its journal must not
 * leave the instance unable to start (it used to fail naming a flag, --into, that the coordinator does not have).
 */
class NamedRunRestartTest {

    @Test
    void aNamedRunThatDiedBeforeItsJournalStartsAgainAndItsFilesAreKeptAside(@TempDir Path root) throws Exception {
        RunStore store = RunStore.open(root);
        store.newNamedRun("nightly", RunInfo.of("6.12", null));
        Files.writeString(root.resolve("nightly").resolve("manifest.json"), "{}"); // the crash came after the manifest
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TestRun.setAsideUnstarted(root, "nightly", new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(store.newNamedRun("nightly", RunInfo.of("6.12", null)).id()).isEqualTo("nightly");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("never journaled").contains(".nightly.unstarted-");
        try (var s = Files.list(root)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith(".nightly.unstarted-"))
                    .anyMatch(p -> Files.exists(p.resolve("manifest.json")))).isTrue();
        }
        assertThat(store.runs()).extracting(r -> r.id()).containsExactly("nightly");
    }

    @Test
    void aJournaledRunIsLeftAloneAndTheErrorNamesTheCoordinatorsFlags(@TempDir Path root) throws Exception {
        RunStore store = RunStore.open(root);
        store.newNamedRun("nightly", RunInfo.of("6.12", null));
        Files.writeString(RunJournal.pathFor(root, "nightly"), "{}\n");
        TestRun.setAsideUnstarted(root, "nightly", new PrintStream(new ByteArrayOutputStream()));
        assertThat(RunJournal.pathFor(root, "nightly")).exists();
        assertThatThrownBy(() -> store.newNamedRun("nightly", RunInfo.of("6.12", null)))
                .hasMessageContaining("--resume nightly").hasMessageContaining("--run-id").hasMessageNotContaining("--into");
    }
}
