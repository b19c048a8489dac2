package dev.ktstr.coordinator.testrun;

import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.local.LocalCluster;
import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import dev.ktstr.coordinator.testrun.fixture.ResumeFixture;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.FakeJobExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A test run planned from test classes, interrupted after one result and resumed by a "new
 * process" (fresh environment and worker cache) from its journal and manifest alone. Fake backend.
 */
class TestRunResumeTest {

    @TempDir
    Path tmp;

    /** Kernels and a local cluster with the fake backend; each instance has its own worker cache. */
    final class FakeEnv implements TestEnvironment {
        final Path kernel;
        final Path cacheDir;
        final Path execLog;

        FakeEnv(Path kernel, String name) {
            this.kernel = kernel;
            this.cacheDir = tmp.resolve("cache-" + name);
            this.execLog = tmp.resolve(name + ".exec");
        }

        @Override
        public List<KernelArtifacts> kernels() {
            return List.of(new KernelArtifacts("kernel_6_12_0", "6.12.0", kernel, Optional.empty(), Optional.empty(), Optional.empty()));
        }

        @Override
        public Optional<Path> findScheduler(String name, KernelArtifacts kernel) {
            return Optional.empty();
        }

        @Override
        public String accelerator() {
            return "tcg";
        }

        @Override
        public GauntletRun startLocal(int slots) {
            ArtifactCache cache = new ArtifactCache(cacheDir);
            return LocalCluster.start(new LocalCluster.Config(new FakeJobExecutor(new FakeJobExecutor.Settings(5, 0, execLog), cache),
                    cache, 2, c -> new WorkerCapacity(c.nodeId(), 4, 1, 1, 8192, "tcg", c.cachedKernels(), false, 2)));
        }

        long executions() throws IOException {
            return Files.exists(execLog) ? Files.readAllLines(execLog).size() : 0;
        }
    }

    private Path fixtureDir() throws Exception {
        Path root = Path.of(ResumeFixture.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String pkg = ResumeFixture.class.getPackageName().replace('.', '/');
        Path dest = Files.createDirectories(tmp.resolve("tests").resolve(pkg));
        Files.copy(root.resolve(pkg).resolve("ResumeFixture.class"), dest.resolve("ResumeFixture.class"));
        return tmp.resolve("tests");
    }

    private static long sidecars(RunDir run) throws IOException {
        return run.sidecarFiles().size();
    }

    /** --replicas 3: every variant three times, each replica its own job and sidecar, none overwritten, grouped by name. */
    @Test
    void aReplicatedRunWritesOneSidecarPerReplicaUnderTheVariantsName() throws Exception {
        Path kernel = tmp.resolve("vmlinux");
        Files.write(kernel, new byte[64 * 1024]);
        Path runs = tmp.resolve("runs");
        TestRunOptions opts = new TestRunOptions(List.of(fixtureDir()), false, List.of(), null, null, 1, false, false, runs, 2,
                null, "abc1234", null, 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FakeEnv env = new FakeEnv(kernel, "replicas");
        TestRun.Result r = new TestRun(opts, env, new PrintStream(out, true), System.err).run(null);
        assertThat(r.outcomes()).hasSize(9).allMatch(o -> o.result().status() == JobStatus.PASS);
        assertThat(env.executions()).isEqualTo(9);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("ktstr/resume_a#r1").contains("ktstr/resume_a#r3");
        List<dev.ktstr.protocol.sidecar.Sidecar> written = r.runDir().load().sidecars().stream()
                .map(dev.ktstr.results.LoadedSidecar::sidecar).toList();
        assertThat(written).hasSize(9);
        assertThat(written.stream().map(s -> s.testName() + " " + s.replica()).distinct()).hasSize(9);
        assertThat(written).extracting(dev.ktstr.protocol.sidecar.Sidecar::testName).containsOnly("ktstr/resume_a", "ktstr/resume_b", "ktstr/resume_c");
        assertThat(written).extracting(dev.ktstr.protocol.sidecar.Sidecar::replica).containsOnly(1, 2, 3);
        assertThat(r.runDir().sidecarFiles()).extracting(f -> f.getFileName().toString()).allMatch(n -> n.matches(".*-r[123]\\.ktstr\\.json"));
    }

    @Test
    void anInterruptedRunResumesFromItsJournalAndManifest() throws Exception {
        Path kernel = tmp.resolve("vmlinux");
        byte[] k = new byte[300 * 1024];
        new Random(3).nextBytes(k);
        Files.write(kernel, k);
        Path runs = tmp.resolve("runs");
        TestRunOptions opts = new TestRunOptions(List.of(fixtureDir()), false, List.of(), null, null, 1, false, false, runs, 2,
                null, "abc1234", null);
        ByteArrayOutputStream out1 = new ByteArrayOutputStream();
        FakeEnv first = new FakeEnv(kernel, "first");
        TestRun.Result r1 = new TestRun(opts, first, new PrintStream(out1, true), System.err).run(null);
        assertThat(r1.outcomes()).hasSize(3).allMatch(o -> o.result().status() == JobStatus.PASS);
        RunDir run = r1.runDir();
        assertThat(run.path().resolve(RunManifest.FILE_NAME)).isRegularFile();
        assertThat(TestRun.isTestRun(run.id(), runs)).isTrue();
        assertThat(sidecars(run)).isEqualTo(3);

        // The coordinator "died" after journaling one result and before writing its sidecar; the other
        // two jobs never finished.
        Path journal = RunJournal.pathFor(runs, run.id());
        List<String> kept = new ArrayList<>();
        int results = 0;
        String keptVariant = null;
        for (String line : Files.readAllLines(journal)) {
            if (line.startsWith("{\"type\":\"result\"")) {
                if (results++ > 0) continue;
                keptVariant = line.replaceAll(".*\"variantName\":\"([^\"]+)\".*", "$1");
            }
            if (line.startsWith("{\"type\":\"end\"")) continue;
            kept.add(line);
        }
        Files.write(journal, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
        try (Stream<Path> s = run.sidecarFiles().stream()) {
            for (Path p : (Iterable<Path>) s::iterator) Files.delete(p);
        }

        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        FakeEnv second = new FakeEnv(kernel, "second");
        TestRun.Result r2 = TestRun.resume(run.id(), runs, RunTarget.local(second, 2, 1, System.err), new PrintStream(out2, true),
                System.err);
        assertThat(r2.outcomes()).hasSize(3).allMatch(o -> o.result().status() == JobStatus.PASS);
        assertThat(r2.summary().resumedResults()).isEqualTo(1);
        assertThat(second.executions()).as("only the two unfinished jobs ran again").isEqualTo(2);
        assertThat(second.cacheDir.resolve("artifacts/sha256")).as("the resumed run offered the artifacts again").isDirectory();
        assertThat(sidecars(run)).as("one sidecar per variant, the lost one rewritten").isEqualTo(3);
        String printed = out2.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("ktstr/resume_a").contains("ktstr/resume_b").contains("ktstr/resume_c").contains(keptVariant);
        JournalState st = RunJournal.replay(journal);
        assertThat(st.results()).hasSize(3);
        assertThat(st.duplicateResults()).isZero();

        // resuming a finished run only reports it
        TestRun.Result r3 = TestRun.resume(run.id(), runs, RunTarget.local(second, 2, 1, System.err), new PrintStream(new ByteArrayOutputStream()),
                System.err);
        assertThat(r3.outcomes()).hasSize(3);
        assertThat(r3.summary()).isNull();
        assertThat(second.executions()).isEqualTo(2);
        assertThat(sidecars(run)).isEqualTo(3);

        // a resume never mixes builds: an artifact that changed since planning stops it
        Files.write(journal, (String.join("\n", kept.subList(0, kept.size() - 1)) + "\n").getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.TRUNCATE_EXISTING);
        Files.write(kernel, new byte[] {1}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> TestRun.resume(run.id(), runs, RunTarget.local(second, 2, 1, System.err),
                new PrintStream(new ByteArrayOutputStream()), System.err))
                .isInstanceOf(IOException.class).hasMessageContaining("changed since the run was planned");
        assertThat(RunStore.open(runs).runs()).hasSize(1);
    }
}
