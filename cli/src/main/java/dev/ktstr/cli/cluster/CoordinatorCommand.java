package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.CoordinatorServer;
import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.coordinator.RunFailedException;
import dev.ktstr.coordinator.RunHandle;
import dev.ktstr.coordinator.RunIds;
import dev.ktstr.coordinator.RunOptions;
import dev.ktstr.coordinator.RunRequest;
import dev.ktstr.coordinator.RunSummary;
import dev.ktstr.coordinator.fake.FakePlan;
import dev.ktstr.coordinator.partition.Partition;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.worker.KtstrDirs;
import dev.ktstr.worker.cluster.ClusterSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ktstr coordinator}: owns a run and hands its jobs to workers that join. */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
        description = {"Run a coordinator that workers join (`ktstr worker --join HOST:PORT`).",
                "Every result is journaled in RUNS_DIR/RUN_ID/journal.jsonl before it is acknowledged;",
                "`--resume RUN_ID` continues a run without re-running finished variants.",
                "Exit status: 0 all passed, 1 some FAIL/TIMEOUT/INFRA_ERROR, 2 usage or startup error."})
public final class CoordinatorCommand implements Callable<Integer> {

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:25520",
            description = "cluster address (default ${DEFAULT-VALUE}); off loopback needs TLS and --secret-file")
    String bind;

    @Option(names = "--fake-jobs", paramLabel = "N", description = "run N synthetic jobs on workers started with --fake")
    Integer fakeJobs;

    @Option(names = "--fake-hang", paramLabel = "N", defaultValue = "0", description = "of the fake jobs, N never finish (deadline test)")
    int fakeHang;

    @Option(names = "--fake-hang-timeout-ms", paramLabel = "MS", defaultValue = "2000", hidden = true)
    long fakeHangTimeoutMs;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "continue the journaled run RUN_ID")
    String resume;

    @Option(names = "--run-id", paramLabel = "RUN_ID", description = "id for a new run (default: timestamp + random)")
    String runId;

    @Option(names = "--runs-dir", paramLabel = "DIR", description = "where run journals live (default: <ktstr cache>/runs)")
    Path runsDir;

    @Option(names = "--partition", paramLabel = "hash:M/N", description = "run only CI shard M of N (by variant name hash)")
    String partition;

    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "3",
            description = "tries per job before a lost worker becomes an INFRA_ERROR result (default ${DEFAULT-VALUE})")
    int maxAttempts;

    @Option(names = "--tcg-overcommit", paramLabel = "FACTOR", defaultValue = "1.0",
            description = "vCPUs per host CPU allowed on TCG workers (default ${DEFAULT-VALUE})")
    double tcgOvercommit;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "3", description = "progress line period")
    int progressSeconds;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws Exception {
        if ((fakeJobs == null) == (resume == null)) {
            System.err.println("ktstr coordinator: give either --fake-jobs N (synthetic jobs) or --resume RUN_ID;"
                    + " real test plans are run by `ktstr test`");
            return 2;
        }
        ClusterSettings.HostPort hp;
        ClusterSettings settings;
        RunOptions options;
        Partition part;
        try {
            hp = ClusterSettings.parseHostPort("--bind", bind);
            settings = cluster.settings(hp.host(), hp.port(), List.of(), List.of("coordinator"), null);
            options = new RunOptions(runsDir == null ? KtstrDirs.runsDir() : runsDir, maxAttempts, tcgOvercommit,
                    Duration.ofSeconds(Math.max(1, progressSeconds)), true, null);
            part = partition == null ? null : Partition.parse(partition);
            if (resume != null && part != null) throw new IllegalArgumentException("--partition applies to new runs, not --resume");
        } catch (IllegalArgumentException e) {
            System.err.println("ktstr coordinator: " + e.getMessage());
            return 2;
        }
        RunRequest request;
        try {
            if (resume != null) {
                request = RunRequest.resume(RunIds.validate(resume), options);
            } else {
                String id = RunIds.validate(runId == null ? RunIds.newRunId() : runId);
                List<JobSpec> jobs = FakePlan.jobs(id, fakeJobs, fakeHang, fakeHangTimeoutMs);
                if (part != null) jobs = part.filter(jobs, JobSpec::variantName);
                if (jobs.isEmpty()) {
                    System.err.println("ktstr coordinator: partition " + part + " selects no jobs; nothing to do");
                    return 0;
                }
                request = RunRequest.of(id, jobs, options);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("ktstr coordinator: " + e.getMessage());
            return 2;
        }
        try (GauntletRun run = CoordinatorServer.start(settings)) {
            RunHandle handle = run.start(request);
            System.err.println("ktstr coordinator: listening on " + run.address() + ", run " + handle.runId()
                    + ", journal " + handle.journal() + " (join workers with: ktstr worker --join " + run.address() + ")");
            RunSummary summary = handle.await();
            System.out.println(summary.oneLine());
            return summary.allPassed() ? 0 : 1;
        } catch (RunFailedException | java.io.UncheckedIOException e) {
            System.err.println("ktstr coordinator: " + e.getMessage());
            return 2;
        }
    }
}
