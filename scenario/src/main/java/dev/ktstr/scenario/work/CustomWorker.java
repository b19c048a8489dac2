package dev.ktstr.scenario.work;

/**
 * A user-written worker loop ({@link WorkType.Custom}). The class needs a public no-argument
 * constructor; it is instantiated inside the worker process (after fork, cgroup placement, affinity,
 * policy and mempolicy), and {@link #run} owns the loop until {@link WorkerProbe#stopRequested()}.
 * The framework measures cpu/wall/off-CPU time and schedstat around the call.
 */
public interface CustomWorker {

    void run(WorkerProbe probe) throws Exception;
}
