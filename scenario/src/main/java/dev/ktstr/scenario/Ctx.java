package dev.ktstr.scenario;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.runtime.ScenarioBackend;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.verify.Assert;
import dev.ktstr.scenario.work.WorkType;
import java.time.Duration;
import java.util.Objects;
import java.util.SortedSet;

/**
 * What a test body gets (spec §2.1): the backend that performs cgroup/worker operations, the guest
 * topology, the resolved test config and the merged thresholds. Built by whoever runs the test
 * (guest agent, host-only runner, unit tests) with {@link #builder}.
 */
public final class Ctx {

    /** Pause after creating cgroups in VM runs. */
    public static final Duration VM_SETTLE = Duration.ofMillis(500);

    private final ScenarioBackend backend;
    private final TestConfig config;
    private final String testName;
    private final Duration settle;
    private final WorkType workTypeOverride;
    private final boolean waitForMapWrite;

    private Ctx(Builder b) {
        this.backend = Objects.requireNonNull(b.backend, "backend");
        this.config = Objects.requireNonNull(b.config, "config");
        this.testName = b.testName;
        this.settle = b.settle;
        this.workTypeOverride = b.workTypeOverride;
        this.waitForMapWrite = b.waitForMapWrite;
    }

    public static Builder builder(ScenarioBackend backend, TestConfig config) {
        return new Builder(backend, config);
    }

    public ScenarioBackend backend() { return backend; }
    public TestConfig config() { return config; }
    public String testName() { return testName; }
    /** The guest's topology as the backend reports it. */
    public Topology topology() { return backend.topology(); }
    /** Workload duration of one scenario ({@code durationS}). */
    public Duration duration() { return Duration.ofSeconds(config.durationS()); }
    public int workersPerCgroup() { return config.workersPerCgroup(); }
    /** Merged thresholds: {@code defaultChecks().merge(scheduler).merge(test)}. */
    public Assert checks() { return config.assertion(); }
    public Scheduler scheduler() { return config.scheduler(); }
    /** Scheduler pid or -1 (EEVDF / no process). */
    public int schedPid() { return backend.schedulerPid(); }
    public Duration settle() { return settle; }

    /**
     * Waits, at most {@code timeout}, until the scheduler under test is gone (its process exited or
     * the kernel ejected it); true if it is. For fault-injection tests: an injected stall can first
     * show up as a different failure (a cgroup write of the harness itself stalled) seconds before
     * the sched_ext watchdog ejects the scheduler.
     */
    public boolean awaitSchedulerGone(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (backend.schedulerAlive()) {
            if (System.nanoTime() >= end) return false;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !backend.schedulerAlive();
            }
        }
        return true;
    }
    /** Replaces the work type of {@code swappable} cgroup defs; {@code null} = none. */
    public WorkType workTypeOverride() { return workTypeOverride; }
    public boolean waitForMapWrite() { return waitForMapWrite; }

    public SortedSet<Integer> allCpus() { return CpuSets.allCpus(topology()); }
    public SortedSet<Integer> usableCpus() { return CpuSets.usableCpus(topology()); }
    /** The CPUs {@code spec} names on this VM's topology: what a cgroup with that cpuset gets. */
    public SortedSet<Integer> cpusetCpus(CpusetSpec spec) { return Objects.requireNonNull(spec, "spec").resolve(topology()); }

    public static final class Builder {
        private final ScenarioBackend backend;
        private final TestConfig config;
        private String testName = "scenario";
        private Duration settle = Duration.ZERO;
        private WorkType workTypeOverride;
        private boolean waitForMapWrite;

        private Builder(ScenarioBackend backend, TestConfig config) {
            this.backend = backend;
            this.config = config;
        }

        public Builder testName(String name) { this.testName = name; return this; }
        /** Default 0; runners in a VM pass {@link #VM_SETTLE}. */
        public Builder settle(Duration d) { this.settle = Objects.requireNonNull(d); return this; }
        public Builder workTypeOverride(WorkType wt) { this.workTypeOverride = wt; return this; }
        public Builder waitForMapWrite(boolean b) { this.waitForMapWrite = b; return this; }
        public Ctx build() { return new Ctx(this); }
    }
}
