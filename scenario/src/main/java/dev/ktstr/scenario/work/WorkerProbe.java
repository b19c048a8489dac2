package dev.ktstr.scenario.work;

import java.util.Map;

/**
 * What a {@link CustomWorker} uses to report progress. Implemented by the worker process; calls
 * come from the worker's loop thread only, must not allocate, and are cheap enough for a hot loop.
 */
public interface WorkerProbe {

    /** True once the harness asked the worker to stop (SIGUSR1 / stop message). */
    boolean stopRequested();

    /** Adds {@code units} work units (starvation = a worker that never adds any). */
    void addWorkUnits(long units);

    /** Ends one outer iteration: counts it and, when work units hit a multiple of 1024, checkpoints (gap, CPU). */
    void iterationDone();

    /** Records one wake-latency sample in nanoseconds. */
    void recordWakeLatencyNs(long nanos);

    /** Restarts the gap clock after an intentional block, so the block is not counted as a gap. */
    void resetGapClock();

    /** The {@link WorkType.Custom#args()} the test passed. */
    Map<String, String> args();
}
