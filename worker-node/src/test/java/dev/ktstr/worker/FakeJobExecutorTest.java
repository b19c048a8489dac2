package dev.ktstr.worker;

import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.job.KernelRef;
import dev.ktstr.protocol.topology.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class FakeJobExecutorTest {

    @TempDir
    Path tmp;

    static JobSpec job(String variant) {
        return new JobSpec(JobSpec.jobIdFor("r", variant), variant, "C", "m", Topology.DEFAULT, KernelRef.labelOnly("k"),
                "eevdf", List.of(), List.of(), 256, 10_000, false, List.of(), 0);
    }

    @Test
    void verdictIsDeterministicByJobIdAndExecutionsAreLogged() throws Exception {
        Path log = tmp.resolve("exec.log");
        FakeJobExecutor ex = new FakeJobExecutor(new FakeJobExecutor.Settings(0, 30, log), new ArtifactCache(tmp));
        int fails = 0;
        for (int i = 0; i < 200; i++) {
            JobSpec j = job("fake/t" + i);
            JobResult r = ex.execute(j, JobProgress.NONE);
            assertThat(r.status()).isEqualTo(FakeJobExecutor.failsById(j.jobId(), 30) ? JobStatus.FAIL : JobStatus.PASS);
            if (r.status() == JobStatus.FAIL) fails++;
        }
        assertThat(fails).isBetween(30, 90);
        assertThat(Files.readAllLines(log)).hasSize(200);
        assertThat(ex.executions()).isEqualTo(200);
    }

    @Test
    void hangingJobStopsOnInterrupt() throws Exception {
        FakeJobExecutor ex = new FakeJobExecutor(new FakeJobExecutor.Settings(0, 0, null), new ArtifactCache(tmp));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                ex.execute(job("fake/hang-1"), JobProgress.NONE);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        Thread.sleep(200);
        assertThat(t.isAlive()).isTrue();
        t.interrupt();
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    }
}
