package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.CoordinatorServer;
import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.coordinator.RunHandle;
import dev.ktstr.coordinator.RunOptions;
import dev.ktstr.coordinator.testrun.RunTarget;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.cluster.ClusterSettings;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Cluster mode: the run's jobs go to a coordinator that {@code ktstr worker --join} nodes pull
 * from. Settings left null keep what {@code base} says (defaults, or a resumed run's journal).
 */
final class CoordinatorTarget implements RunTarget {
    private final ClusterSettings settings;
    private final Integer maxAttempts;
    private final Double tcgOvercommit;
    private final Duration progressInterval;
    private final Duration unplaceableGrace;
    private final PrintStream err;
    private List<JobSpec> jobs = List.of();

    CoordinatorTarget(ClusterSettings settings, Integer maxAttempts, Double tcgOvercommit, Duration progressInterval,
                      Duration unplaceableGrace, PrintStream err) {
        this.settings = settings;
        this.maxAttempts = maxAttempts;
        this.tcgOvercommit = tcgOvercommit;
        this.progressInterval = progressInterval;
        this.unplaceableGrace = unplaceableGrace;
        this.err = err;
    }

    @Override
    public GauntletRun start() {
        return CoordinatorServer.start(settings);
    }

    private Duration idleLimit;

    CoordinatorTarget withIdleLimit(Duration d) {
        this.idleLimit = d;
        return this;
    }

    @Override
    public RunOptions options(List<JobSpec> jobs, RunOptions base) {
        this.jobs = List.copyOf(jobs);
        RunOptions o = base;
        if (maxAttempts != null) o = o.withMaxAttempts(maxAttempts);
        if (tcgOvercommit != null) o = o.withTcgOvercommit(tcgOvercommit);
        if (progressInterval != null) o = o.withProgressInterval(progressInterval);
        if (unplaceableGrace != null) o = o.withUnplaceableGrace(unplaceableGrace);
        if (idleLimit != null) o = o.withIdleLimit(idleLimit);
        return o;
    }

    @Override
    public void started(GauntletRun cluster, RunHandle handle) {
        err.println("ktstr coordinator: listening on " + cluster.address() + ", run " + handle.runId() + ", journal "
                + handle.journal() + " (join workers with: ktstr worker --join " + cluster.address() + ")");
        jobs.stream().max(Comparator.comparingInt(JobSpec::vcpus).thenComparingInt(JobSpec::memoryMb)).ifPresent(big ->
                err.println("ktstr coordinator: " + jobs.size() + " job(s) wait for workers; each needs a whole VM, the largest "
                        + big.vcpus() + " vCPUs and " + big.memoryMb() + " MiB (" + big.variantName() + ")"));
    }
}
