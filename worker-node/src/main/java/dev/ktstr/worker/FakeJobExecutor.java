package dev.ktstr.worker;

import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.outcome.VmLogs;
import dev.ktstr.protocol.outcome.VmOutcome;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in VM backend for cluster tests and benchmarks: sleeps {@code durationMs}, then passes
 * or fails deterministically by job id ({@code failPercent} of ids fail), and never returns for a
 * variant whose name contains {@code /hang} (to exercise deadlines). It checks that every
 * artifact of the job is in the cache, and can log each execution (job id, attempt) to a file so
 * tests can count how often a job really ran.
 */
public final class FakeJobExecutor implements JobExecutor {

    /** @param resultLogBytes the size of a guest log each result carries (0: none), to test results of any size */
    public record Settings(long durationMs, int failPercent, Path executionLog, int resultLogBytes) {
        public Settings {
            if (durationMs < 0) throw new IllegalArgumentException("fake duration must be >= 0 ms");
            if (failPercent < 0 || failPercent > 100) throw new IllegalArgumentException("failPercent must be 0..100");
            if (resultLogBytes < 0) throw new IllegalArgumentException("fake result log size must be >= 0 bytes");
        }

        public Settings(long durationMs, int failPercent, Path executionLog) {
            this(durationMs, failPercent, executionLog, 0);
        }

        public static Settings quick() {
            return new Settings(20, 10, null);
        }
    }

    private final Settings settings;
    private final ArtifactCache cache;
    private final AtomicLong executions = new AtomicLong();

    public FakeJobExecutor(Settings settings, ArtifactCache cache) {
        this.settings = settings;
        this.cache = cache;
    }

    /** True when {@code jobId} is one of the deterministic failures. */
    public static boolean failsById(String jobId, int failPercent) {
        return Math.floorMod(jobId.hashCode(), 100) < failPercent;
    }

    public long executions() {
        return executions.get();
    }

    @Override
    public JobResult execute(JobSpec job, JobProgress progress) throws InterruptedException {
        executions.incrementAndGet();
        logExecution(job);
        for (ArtifactRef a : job.artifacts()) {
            cache.require(a);
        }
        long t0 = System.nanoTime();
        progress.phase("boot");
        Thread.sleep(settings.durationMs() / 2);
        long t1 = System.nanoTime();
        progress.phase("run");
        if (job.variantName().contains("/hang")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        Thread.sleep(settings.durationMs() - settings.durationMs() / 2);
        long t2 = System.nanoTime();
        boolean fail = failsById(job.jobId(), settings.failPercent());
        return new JobResult(job.jobId(), job.variantName(), fail ? JobStatus.FAIL : JobStatus.PASS,
                fail ? "fake failure (deterministic by job id)" : "fake pass", "", null, accelerator(),
                Map.of("boot", (t1 - t0) / 1_000_000, "run", (t2 - t1) / 1_000_000), job.attempt(), paddedOutcome(job));
    }

    /** The job id, repeated to {@code resultLogBytes} characters, as the guest log of an outcome without a VM. */
    private VmOutcome paddedOutcome(JobSpec job) {
        int n = settings.resultLogBytes();
        if (n == 0) return null;
        StringBuilder sb = new StringBuilder(n);
        while (sb.length() < n) sb.append(job.jobId()).append('\n');
        sb.setLength(n);
        return new VmOutcome(null, null, null, null, null, null, List.of(), List.of(), null, List.of(), null, null, null,
                List.of(), new VmLogs("", sb.toString(), null, 0), null, null, null);
    }

    private void logExecution(JobSpec job) {
        Path log = settings.executionLog();
        if (log == null) return;
        byte[] line = (job.jobId() + " " + job.attempt() + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            try {
                Files.write(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to fake execution log " + log, e);
            }
        }
    }
}
