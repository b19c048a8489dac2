package dev.ktstr.scenario.runtime;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.Payload;
import dev.ktstr.scenario.report.WorkerReport;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;

/**
 * The side effects a scenario needs; the executor ({@link dev.ktstr.scenario.Scenarios}) makes every
 * decision and calls these. The guest agent implements it with real cgroups and worker processes;
 * unit tests use a recording fake.
 *
 * <p>Cgroup paths are relative to the harness cgroup root ({@code /sys/fs/cgroup/ktstr} in a VM),
 * use {@code /} between levels, never start with {@code /}; {@code ""} means the root itself.
 * Calls come from one thread. Failures are thrown as {@link ScenarioBackendException} (or any
 * RuntimeException) with a message naming the path and errno; the executor turns them into a failing
 * step result and still tears down.
 */
public interface ScenarioBackend {

    /** The guest's CPU topology (CPU numbering LLC-major, as {@link Topology} describes). */
    Topology topology();

    /** Creates the cgroup (idempotent; creates missing parents and enables +cpuset on them). */
    void createCgroup(String path);

    /**
     * Writes {@code cpuset.cpus} (and {@code cpuset.mems} when {@code mems} is non-empty).
     * An empty {@code cpus} writes an empty string, i.e. inherit the parent's CPUs.
     */
    void setCpuset(String path, SortedSet<Integer> cpus, SortedSet<Integer> mems);

    /** Moves remaining tasks to the root of the cgroup hierarchy, then rmdirs (missing = fine). */
    void removeCgroup(String path);

    /**
     * Phase 1 of the two-phase start: forks one worker process per spec, all into {@code specs.get(0).cgroup()}
     * (all specs of one call share the cgroup and work type and form one group: pipes/futex pages are
     * shared by index), each blocked before its loop. Returns handles in spec order.
     */
    List<WorkerHandle> spawnWorkers(List<WorkerSpec> specs);

    /**
     * Phase 1 for several spawn groups at once (each list as in {@link #spawnWorkers}); a backend
     * that can start them in parallel does, so the cgroups of one step get their workers in the time
     * of the slowest group, not the sum. All or nothing: on failure every worker started is killed.
     * Returns the handles per group, in order.
     */
    default List<List<WorkerHandle>> spawnGroups(List<List<WorkerSpec>> groups) {
        List<List<WorkerHandle>> out = new java.util.ArrayList<>();
        for (List<WorkerSpec> g : groups) out.add(spawnWorkers(g));
        return out;
    }

    /** Phase 2: lets the given (placed) workers enter their loops. Idempotent. */
    void release(List<WorkerHandle> workers);

    /** Re-pins running workers ({@code cpus} empty = all CPUs of the topology). */
    void setAffinity(List<WorkerHandle> workers, SortedSet<Integer> cpus);

    /** Migrates every task of cgroup {@code from} into {@code to} (retrying transient EBUSY). */
    void moveAllTasks(String from, String to);

    /**
     * Stops the workers (SIGUSR1), waits until {@code deadline} (shared, spec default 5 s) for each
     * report, then SIGKILLs every worker's process group. Returns exactly one report per handle in
     * handle order, a {@link WorkerReport#sentinel sentinel} for each worker without a valid report.
     */
    List<WorkerReport> stopAndCollect(List<WorkerHandle> workers, Duration deadline);

    /** Summed outer-iteration counters of these workers right now (relaxed reads; 0 if unknown). */
    long iterations(List<WorkerHandle> workers);

    /** Starts a binary payload in {@code cgroup} (background; stdout/stderr captured). */
    PayloadHandle runPayload(Payload payload, List<String> args, String cgroup);

    /** Waits for the payload to exit on its own, at most {@code timeout}; SIGKILL after that. */
    PayloadExit waitPayload(PayloadHandle payload, Duration timeout);

    /** SIGKILL + reap. */
    PayloadExit killPayload(PayloadHandle payload);

    /** True while the scheduler under test is running (always true for EEVDF / kernel built-ins). */
    boolean schedulerAlive();

    /** Scheduler process id, or -1 when there is no scheduler process. */
    int schedulerPid();

    /** Scenario start marker (SCENARIO_START on the host channel). */
    void scenarioStarted();

    /** Records one step stimulus (STIMULUS on the host channel). */
    void emitStimulus(StimulusEvent event);

    /** Scenario end marker with its elapsed milliseconds (SCENARIO_END). */
    void scenarioEnded(long elapsedMs);

    /**
     * Signals "probes ready" to the host and waits up to {@code timeout} for the host's BPF map write.
     * Returns false on timeout. Only called when the test declares a map write.
     */
    boolean awaitHostMapWrite(Duration timeout);

    /** Monotonic clock in nanoseconds (fakes return virtual time). */
    long nanoTime();

    void sleep(Duration duration);

    /** A line for the test's log (shown in failure reports). */
    void log(String line);
}
