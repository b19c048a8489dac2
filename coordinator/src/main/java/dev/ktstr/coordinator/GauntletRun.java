package dev.ktstr.coordinator;

import dev.ktstr.protocol.job.JobSpec;

import java.util.List;

/**
 * A running coordinator (with or without an in-process worker): the only way non-Pekko code
 * (the CLI, the JUnit engine) runs jobs. One run at a time; {@link #close} ends the cluster.
 * Obtain one from the local-cluster module's {@code LocalCluster.start} or {@link CoordinatorServer#start}.
 */
public interface GauntletRun extends AutoCloseable {

    RunHandle start(RunRequest request);

    /** Runs {@code jobs} under a fresh run id with {@code options}; blocks until done. */
    default RunSummary runAll(List<JobSpec> jobs, RunOptions options) throws InterruptedException {
        return start(RunRequest.of(RunIds.newRunId(), jobs, options)).await();
    }

    default RunSummary runAll(List<JobSpec> jobs) throws InterruptedException {
        return runAll(jobs, RunOptions.defaults());
    }

    /** {@code host:port} the cluster listens on (workers join it). */
    String address();

    /** Tells workers the coordinator is finishing, leaves the cluster, stops the actor system. */
    @Override
    void close();
}
