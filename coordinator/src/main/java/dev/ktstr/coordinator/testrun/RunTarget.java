package dev.ktstr.coordinator.testrun;

import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.coordinator.RunHandle;
import dev.ktstr.coordinator.RunOptions;
import dev.ktstr.protocol.job.JobSpec;
import java.io.PrintStream;
import java.util.List;

/**
 * Where a {@link TestRun}'s jobs execute. Planning, artifacts, journal, sidecars and output are the
 * same either way; only this differs: local mode starts a one-node cluster with an in-process worker,
 * cluster mode ({@code ktstr coordinator}) starts a coordinator that remote workers join.
 */
public interface RunTarget {

    /** Starts the coordinator (and, in local mode, its worker). Closed by the caller when the run ends. */
    GauntletRun start();

    /**
     * The run options for these jobs. {@code base} already names the runs directory and, on resume,
     * the overcommit and attempt limits the journal recorded; a target may override the rest.
     */
    RunOptions options(List<JobSpec> jobs, RunOptions base);

    /** Called once the run has started (e.g. to say where workers join). */
    default void started(GauntletRun cluster, RunHandle handle) {
    }

    /**
     * Local mode: {@link TestEnvironment#startLocal} with {@code slots}. A test's own topology is what
     * it asked for, so on a small TCG host vCPUs are overcommitted as far as the biggest job needs
     * (recorded in the journal's plan) rather than the job being skipped.
     */
    static RunTarget local(TestEnvironment env, int slots, int overcommit, PrintStream err) {
        return new RunTarget() {
            @Override
            public GauntletRun start() {
                return env.startLocal(slots);
            }

            @Override
            public RunOptions options(List<JobSpec> jobs, RunOptions base) {
                int hostCpus = Math.max(1, dev.ktstr.coordinator.plan.HostCapacity.detect().logicalCpus());
                double needed = jobs.stream().mapToDouble(j -> Math.ceil((double) j.vcpus() / hostCpus)).max().orElse(1);
                double factor = Math.max(overcommit, "tcg".equals(env.accelerator()) ? needed : 1);
                factor = Math.max(1.0, Math.min(16, Math.max(factor, base.tcgOvercommit())));
                if (factor > 1) {
                    err.printf("ktstr: vCPU overcommit x%.0f on this %s host (%d CPUs)%n", factor, env.accelerator(), hostCpus);
                }
                return base.withTcgOvercommit(factor);
            }
        };
    }
}
