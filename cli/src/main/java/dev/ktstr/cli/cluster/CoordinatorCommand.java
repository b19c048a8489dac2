package dev.ktstr.cli.cluster;

import dev.ktstr.cli.test.PlanOptions;
import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.coordinator.RunFailedException;
import dev.ktstr.coordinator.RunHandle;
import dev.ktstr.coordinator.RunIds;
import dev.ktstr.coordinator.RunOptions;
import dev.ktstr.coordinator.RunRequest;
import dev.ktstr.coordinator.RunSummary;
import dev.ktstr.coordinator.fake.FakePlan;
import dev.ktstr.coordinator.journal.JournalRecord;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.coordinator.partition.Partition;
import dev.ktstr.results.RunStore;
import dev.ktstr.coordinator.testrun.TestRun;
import dev.ktstr.coordinator.testrun.TestRunOptions;
import dev.ktstr.local.LocalVmEnvironment;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.vmm.kernel.KernelException;
import dev.ktstr.vmm.qemu.AccelMode;
import dev.ktstr.cluster.ClusterSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ktstr coordinator}: plans a run and hands its jobs to workers that join. */
@Command(name = "coordinator", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Plan @KtstrTest variants as `ktstr test` does and run each in its own VM on",
                "the workers that join (`ktstr worker --join HOST:PORT`, this or other hosts).",
                "A job needs a whole VM's worth of a worker's advertised capacity; a job no",
                "joined worker can ever hold is reported SKIP with the reason. Workers fetch",
                "the test jars, kernel image, System.map/BTF and scheduler binaries from here",
                "by sha256. Prints one line per variant and each failure's report, writes one",
                "sidecar per variant under the runs directory, and journals each result in",
                "RUNS_DIR/RUN_ID/journal.jsonl before acknowledging it; `--resume RUN_ID`",
                "(same --runs-dir) continues a run without re-running finished variants.",
                "",
                "  ktstr coordinator examples/target/test-classes -E steady",
                "  ktstr worker --join 127.0.0.1:25520     (on each worker host)",
                "",
                "Exit status: 0 all passed, 1 some FAIL/TIMEOUT/INFRA_ERROR, 2 usage error."})
public final class CoordinatorCommand implements Callable<Integer> {

    @Mixin
    PlanOptions plan;

    @Option(names = "--accel", paramLabel = "kvm|tcg|auto", defaultValue = "auto",
            description = "Accelerator the workers use, for the --budget-secs cost model only (auto: this host's). Default: ${DEFAULT-VALUE}.")
    String accel;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "Continue the journaled run RUN_ID (test plan or --fake-jobs) under --runs-dir.")
    String resume;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:25520",
            description = "Cluster address (default ${DEFAULT-VALUE}); off loopback needs TLS and --secret-file.")
    String bind;

    @Option(names = "--max-attempts", paramLabel = "N",
            description = "Tries per job before a lost worker or VM infrastructure error becomes INFRA_ERROR (default 3; a resumed run keeps its journal's).")
    Integer maxAttempts;

    @Option(names = "--tcg-overcommit", paramLabel = "FACTOR",
            description = "vCPUs per host CPU allowed on TCG workers (default 1.0; a resumed run keeps its journal's).")
    Double tcgOvercommit;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "3", description = "Progress line period.")
    int progressSeconds;

    @Option(names = "--unplaceable-grace", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a job no joined worker can hold waits for a bigger worker before it is reported SKIP (default ${DEFAULT-VALUE}).")
    int unplaceableGraceSeconds;

    @Option(names = "--idle-limit", paramLabel = "SECONDS", defaultValue = "600",
            description = "Fail the run (exit 2, journal kept for --resume) when it has jobs left and no worker at all for this long"
                    + " (none joined, or all lost) (default ${DEFAULT-VALUE}).")
    int idleLimitSeconds;

    @Option(names = "--fake-jobs", paramLabel = "N", description = "Run N synthetic jobs on workers started with --fake (no VMs).")
    Integer fakeJobs;

    @Option(names = "--fake-hang", paramLabel = "N", defaultValue = "0", description = "Of the fake jobs, N never finish (deadline test).")
    int fakeHang;

    @Option(names = "--fake-hang-timeout-ms", paramLabel = "MS", defaultValue = "2000", hidden = true)
    long fakeHangTimeoutMs;

    @Option(names = "--run-id", paramLabel = "RUN_ID", description = "Id for a new run (default: timestamp, kernel, commit and a random suffix); --resume takes it.")
    String runId;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws Exception {
        List<Path> roots = plan.roots();
        Path runsDir = plan.runsDir;
        String partition = plan.partition;
        Integer timeoutSecs = plan.timeoutSecs;
        int modes = (roots.isEmpty() ? 0 : 1) + (fakeJobs == null ? 0 : 1) + (resume == null ? 0 : 1);
        if (modes != 1) {
            System.err.println("ktstr coordinator: give exactly one of: the jars or class directories holding @KtstrTest classes"
                    + " (PATH... or --classpath), --fake-jobs N (synthetic jobs), or --resume RUN_ID;"
                    + " e.g. `ktstr coordinator examples/target/test-classes`");
            return 2;
        }
        ClusterSettings settings;
        Partition part;
        try {
            ClusterSettings.HostPort hp = ClusterSettings.parseHostPort("--bind", bind);
            settings = cluster.settings(hp.host(), hp.port(), List.of(), List.of("coordinator"), null);
            part = partition == null ? null : Partition.parse(partition);
            if (resume != null && part != null) throw new IllegalArgumentException("--partition applies to new runs, not --resume");
            if (runId != null && resume != null) throw new IllegalArgumentException("--run-id names a new run; --resume continues one");
            if (maxAttempts != null && maxAttempts < 1) throw new IllegalArgumentException("--max-attempts must be >= 1, got " + maxAttempts);
            if (tcgOvercommit != null && !(tcgOvercommit >= 1.0 && tcgOvercommit <= 16)) {
                throw new IllegalArgumentException("--tcg-overcommit must be within 1.0..16, got " + tcgOvercommit);
            }
            if (idleLimitSeconds < 1) throw new IllegalArgumentException("--idle-limit must be >= 1 s, got " + idleLimitSeconds);
            if (timeoutSecs != null && timeoutSecs < 1) throw new IllegalArgumentException("--timeout must be >= 1 s, got " + timeoutSecs);
        } catch (IllegalArgumentException e) {
            System.err.println("ktstr coordinator: " + e.getMessage());
            return 2;
        }
        CoordinatorTarget target = new CoordinatorTarget(settings, maxAttempts, tcgOvercommit,
                Duration.ofSeconds(Math.max(1, progressSeconds)), Duration.ofSeconds(Math.max(0, unplaceableGraceSeconds)), System.err)
                .withIdleLimit(Duration.ofSeconds(idleLimitSeconds));
        try {
            if (fakeJobs != null || (resume != null && !TestRun.isTestRun(resume, runsDir))) return fakeRun(target, part);
            TestRun.Result r;
            if (resume != null) {
                r = TestRun.resume(resume, runsDir, target, System.out, System.err);
            } else {
                LocalVmEnvironment host = new LocalVmEnvironment(plan.kernels, AccelMode.AUTO, null, System.err);
                CoordinatorEnvironment env = new CoordinatorEnvironment(host, workerAccel());
                TestRunOptions options = plan.toRunOptions(0);
                r = new TestRun(options, env, target, System.out, System.err).named(runId == null ? null : RunIds.validate(runId)).run(null);
            }
            return r.allPassed() ? 0 : 1;
        } catch (IllegalArgumentException | IOException | KernelException | RunFailedException | java.io.UncheckedIOException e) {
            System.err.println("ktstr coordinator: " + e.getMessage());
            // 4: this node was downed mid-run; the systemd unit restarts it with --resume (RestartForceExitStatus=4)
            return e instanceof RunFailedException && e.getCause() instanceof dev.ktstr.coordinator.CoordinatorDownedException ? 4 : 2;
        }
    }

    /** {@code --accel kvm|tcg} names the workers' accelerator; auto means "like this host". */
    private String workerAccel() {
        String a = accel.toLowerCase(Locale.ROOT);
        if (a.equals("kvm") || a.equals("tcg")) return a;
        if (a.equals("auto")) return null;
        throw new IllegalArgumentException("--accel expects kvm, tcg or auto, got '" + accel + "'");
    }

    /** Synthetic jobs for workers started with --fake: the cluster machinery without VMs. */
    private int fakeRun(CoordinatorTarget target, Partition part) throws InterruptedException, IOException {
        Path root = RunStore.resolveRoot(this.plan.runsDir);
        RunRequest request;
        if (resume != null) {
            JournalRecord.Plan plan = RunJournal.replay(RunJournal.pathFor(root, RunIds.validate(resume))).plan();
            RunOptions base = RunOptions.defaults().withRunsDir(root).withTcgOvercommit(plan.tcgOvercommit())
                    .withMaxAttempts(plan.maxAttempts());
            request = RunRequest.resume(resume, target.options(List.of(), base));
        } else {
            String id = RunIds.validate(runId == null ? RunIds.newRunId() : runId);
            List<JobSpec> jobs = FakePlan.jobs(id, fakeJobs, fakeHang, fakeHangTimeoutMs);
            if (part != null) jobs = part.filter(jobs, JobSpec::variantName);
            if (jobs.isEmpty()) {
                System.err.println("ktstr coordinator: partition " + part + " selects no jobs; nothing to do");
                return 0;
            }
            request = RunRequest.of(id, jobs, target.options(jobs, RunOptions.defaults().withRunsDir(root)));
        }
        try (GauntletRun run = target.start()) {
            RunHandle handle = run.start(request);
            target.started(run, handle);
            RunSummary summary = handle.await();
            System.out.println(summary.oneLine());
            return summary.allPassed() ? 0 : 1;
        }
    }
}
