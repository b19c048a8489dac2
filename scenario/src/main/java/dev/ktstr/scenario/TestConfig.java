package dev.ktstr.scenario;

import dev.ktstr.protocol.guest.WorkConservationWatchdog;
import dev.ktstr.protocol.job.SchedErrorMatch;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.TopologyConstraints;
import dev.ktstr.scenario.verify.Assert;
import java.util.List;

/**
 * A test's fully resolved settings: every inherit already applied.
 *
 * @param topology          VM topology
 * @param memoryMb          guest memory floor, MiB
 * @param scheduler         the scheduler (with its flags)
 * @param extraSchedArgs    test's args after the scheduler's own
 * @param watchdogTimeoutS  sched_ext watchdog, seconds
 * @param testAssert        the test's own threshold layer (unmerged)
 * @param assertion         effective thresholds: {@code defaultChecks().merge(scheduler).merge(test)}
 * @param requiredFlags     flags every gauntlet profile of this test must contain
 * @param excludedFlags     flags no profile may contain
 * @param constraints       gauntlet topology constraints
 * @param durationS         workload duration, seconds
 * @param workersPerCgroup  default workers per cgroup
 * @param expectErr         pass only when the run fails
 * @param hostOnly          run on the host without a VM
 * @param autoRepro         false when expectErr
 * @param performanceMode   performance mode
 * @param cleanupBudgetMs   teardown budget in ms, {@code null} = none
 * @param attachTimeoutMs   scheduler attach window in ms (test's, else the scheduler's), unscaled;
 *                          {@code null} = the harness default scaled for the VM
 * @param workConservationWatchdog the harness's work-conservation watchdog for this test
 * @param schedError        what the scheduler's exit message must say (implies expectErr), null = any failure
 * @param allowInconclusive an inconclusive verdict of this test does not fail the run
 * @param replicas          runs of each variant of this test (each its own VM and sidecar), at least 1
 */
public record TestConfig(Topology topology, int memoryMb, Scheduler scheduler, List<String> extraSchedArgs,
                         int watchdogTimeoutS, Assert testAssert, Assert assertion, List<String> requiredFlags,
                         List<String> excludedFlags, TopologyConstraints constraints, int durationS,
                         int workersPerCgroup, boolean expectErr, boolean hostOnly, boolean autoRepro,
                         boolean performanceMode, Long cleanupBudgetMs, Long attachTimeoutMs,
                         WorkConservationWatchdog workConservationWatchdog, SchedErrorMatch schedError,
                         boolean allowInconclusive, int replicas) {

    public static final int DEFAULT_MEMORY_MB = 2048;
    public static final int DEFAULT_WATCHDOG_TIMEOUT_S = 4;
    public static final int DEFAULT_DURATION_S = 2;
    public static final int DEFAULT_WORKERS_PER_CGROUP = 2;

    /** Spec's {@code KtstrTestEntry::DEFAULT}: 1n1l2c1t, EEVDF, 2048 MB, 2 s, 2 workers, default checks. */
    public static final TestConfig DEFAULT = new TestConfig(Topology.DEFAULT, DEFAULT_MEMORY_MB, Scheduler.EEVDF, List.of(),
            DEFAULT_WATCHDOG_TIMEOUT_S, Assert.NO_OVERRIDES, Assert.defaultChecks(), List.of(), List.of(),
            TopologyConstraints.DEFAULT, DEFAULT_DURATION_S, DEFAULT_WORKERS_PER_CGROUP, false, false, true, false, null, null,
            WorkConservationWatchdog.DEFAULT, null, false, 1);

    public TestConfig {
        if (topology == null) throw new IllegalArgumentException("topology must be set");
        if (scheduler == null) throw new IllegalArgumentException("scheduler must be set");
        if (memoryMb <= 0) throw new IllegalArgumentException("memoryMb must be > 0, got " + memoryMb);
        if (durationS <= 0) throw new IllegalArgumentException("durationS must be > 0, got " + durationS);
        if (workersPerCgroup <= 0) throw new IllegalArgumentException("workersPerCgroup must be > 0, got " + workersPerCgroup);
        if (watchdogTimeoutS <= 0) throw new IllegalArgumentException("watchdogTimeoutS must be > 0, got " + watchdogTimeoutS);
        if (cleanupBudgetMs != null && cleanupBudgetMs <= 0) throw new IllegalArgumentException("cleanupBudgetMs must be > 0, got " + cleanupBudgetMs);
        if (attachTimeoutMs != null && attachTimeoutMs <= 0) throw new IllegalArgumentException("attachTimeoutMs must be > 0, got " + attachTimeoutMs);
        if (replicas == 0) replicas = 1; // absent from configs serialised before it existed
        if (replicas < 0) throw new IllegalArgumentException("replicas must be >= 1, got " + replicas);
        if (workConservationWatchdog == null) workConservationWatchdog = WorkConservationWatchdog.DEFAULT;
        extraSchedArgs = extraSchedArgs == null ? List.of() : List.copyOf(extraSchedArgs);
        requiredFlags = requiredFlags == null ? List.of() : List.copyOf(requiredFlags);
        excludedFlags = excludedFlags == null ? List.of() : List.copyOf(excludedFlags);
        if (testAssert == null) testAssert = Assert.NO_OVERRIDES;
        if (assertion == null) assertion = Assert.defaultChecks().merge(scheduler.assertion()).merge(testAssert);
        if (constraints == null) constraints = scheduler.constraints();
        if (schedError != null) expectErr = true;
        if (expectErr) autoRepro = false;
    }

    /** Actual VM memory: max(cpus × 64, 256, memoryMb) MiB (the initramfs floor is applied by vmm). */
    public int vmMemoryMb() {
        return Math.max(Math.max(topology.totalCpus() * 64, 256), memoryMb);
    }

    public TestConfig withTopology(Topology t) {
        return new TestConfig(t, memoryMb, scheduler, extraSchedArgs, watchdogTimeoutS, testAssert, assertion, requiredFlags,
                excludedFlags, constraints, durationS, workersPerCgroup, expectErr, hostOnly, autoRepro, performanceMode, cleanupBudgetMs,
                attachTimeoutMs, workConservationWatchdog, schedError, allowInconclusive, replicas);
    }

    /** This config with what a job resolved for one variant (the guest agent's view). */
    public TestConfig withJob(Topology t, Assert merged, int jobDurationS, int jobWorkersPerCgroup) {
        return new TestConfig(t, memoryMb, scheduler, extraSchedArgs, watchdogTimeoutS, testAssert, merged, requiredFlags,
                excludedFlags, constraints, jobDurationS, jobWorkersPerCgroup, expectErr, hostOnly, autoRepro, performanceMode,
                cleanupBudgetMs, attachTimeoutMs, workConservationWatchdog, schedError, allowInconclusive, replicas);
    }

    public TestConfig withScheduler(Scheduler s, List<String> required, List<String> excluded) {
        return new TestConfig(topology, memoryMb, s, extraSchedArgs, watchdogTimeoutS, testAssert, null, required,
                excluded, null, durationS, workersPerCgroup, expectErr, hostOnly, autoRepro, performanceMode, cleanupBudgetMs,
                attachTimeoutMs, workConservationWatchdog, schedError, allowInconclusive, replicas);
    }
}
