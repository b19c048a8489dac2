package dev.ktstr.local;

import dev.ktstr.coordinator.ArtifactStore;
import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.coordinator.RunHandle;
import dev.ktstr.coordinator.RunListener;
import dev.ktstr.coordinator.RunOptions;
import dev.ktstr.coordinator.RunProgress;
import dev.ktstr.coordinator.RunRequest;
import dev.ktstr.coordinator.RunSummary;
import dev.ktstr.coordinator.fake.FakePlan;
import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.ArtifactRole;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.FakeJobExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Local mode end to end: one JVM, coordinator + worker, fake backend. */
class LocalClusterTest {

    @TempDir
    Path tmp;

    @Test
    void runsEveryJobOnceFetchesArtifactsAndStopsHungJobsAtTheirDeadline() throws Exception {
        ArtifactCache cache = new ArtifactCache(tmp.resolve("cache"));
        FakeJobExecutor exec = new FakeJobExecutor(new FakeJobExecutor.Settings(10, 20, null), cache);
        // 600 KiB: three chunks
        Path blob = tmp.resolve("sched.bin");
        byte[] data = new byte[600 * 1024];
        new Random(7).nextBytes(data);
        Files.write(blob, data);
        ArtifactStore store = new ArtifactStore();
        ArtifactRef ref = store.add(blob, ArtifactRole.SCHEDULER);

        String runId = "local-1";
        List<JobSpec> jobs = new ArrayList<>();
        for (JobSpec j : FakePlan.jobs(runId, 40, 1, 1500)) {
            jobs.add(new JobSpec(j.jobId(), j.variantName(), j.testClass(), j.testMethod(), j.topology(), j.kernel(),
                    j.scheduler(), j.schedulerArgs(), j.activeFlags(), j.memoryMb(), j.timeoutMs(), false, List.of(ref), 0));
        }
        // one VM bigger than the host can ever hold: it must come back SKIP, not hang the run
        jobs.add(new JobSpec(JobSpec.jobIdFor(runId, "fake/huge"), "fake/huge", "C", "m", Topology.parse("1,1,64,2"),
                null, "eevdf", null, null, 256, 60_000, false, null, 0));
        List<JobResult> seen = new CopyOnWriteArrayList<>();
        List<RunProgress> progress = new CopyOnWriteArrayList<>();
        RunOptions opts = new RunOptions(tmp.resolve("runs"), 3, 1.0, Duration.ofMillis(500), false, Duration.ZERO);
        LocalCluster.Config cfg = new LocalCluster.Config(exec, cache, 4,
                c -> new WorkerCapacity(c.nodeId(), 4, 1, 1, 8192, "tcg", c.cachedKernels(), false, 4));
        try (GauntletRun cluster = LocalCluster.start(cfg)) {
            RunHandle h = cluster.start(RunRequest.of(runId, jobs, opts).withArtifacts(store).withListener(new RunListener() {
                @Override public void onResult(JobResult r) { seen.add(r); }
                @Override public void onProgress(RunProgress p) { progress.add(p); }
            }));
            RunSummary s = h.await(Duration.ofSeconds(60));
            assertThat(s.results()).hasSize(41);
            assertThat(seen).hasSize(41);
            assertThat(s.counts().get(JobStatus.TIMEOUT)).isEqualTo(1);
            assertThat(s.results().stream().filter(r -> r.variantName().equals("fake/hang-00039")).findFirst().orElseThrow()
                    .message()).contains("deadline of 1500 ms");
            JobResult huge = s.results().stream().filter(r -> r.variantName().equals("fake/huge")).findFirst().orElseThrow();
            assertThat(huge.status()).isEqualTo(JobStatus.SKIP);
            assertThat(huge.message()).contains("needs 128 vCPUs");
            long expectedFails = jobs.subList(0, 39).stream().filter(j -> FakeJobExecutor.failsById(j.jobId(), 20)).count();
            assertThat(s.counts().get(JobStatus.FAIL)).isEqualTo((int) expectedFails);
            assertThat(s.counts().get(JobStatus.PASS)).isEqualTo(39 - (int) expectedFails);
            assertThat(s.results()).allMatch(r -> r.status() == JobStatus.SKIP || r.workerNode().startsWith("local@"));
            assertThat(exec.executions()).isEqualTo(40);
            assertThat(cache.find(ref.sha256())).isPresent();
            assertThat(Files.readAllBytes(cache.find(ref.sha256()).orElseThrow())).isEqualTo(data);
            assertThat(progress).isNotEmpty();
            assertThat(h.progress().done()).isEqualTo(41);

            // a second run on the same local cluster works too (the JUnit engine may run several)
            RunSummary again = cluster.runAll(FakePlan.jobs("local-2", 5, 0, 1000), opts);
            assertThat(again.results()).hasSize(5);
        }
        JournalState st = RunJournal.replay(RunJournal.pathFor(tmp.resolve("runs"), runId));
        assertThat(st.results()).hasSize(41);
        assertThat(st.ended()).isTrue();
    }
}
