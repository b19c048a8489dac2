package dev.ktstr.scenario.runtime;

/**
 * A worker process the backend spawned. Backends implement it with whatever they need to track the
 * process; the executor only reads these values and hands handles back to the same backend.
 */
public interface WorkerHandle {

    /** Process id of the worker (guest pid namespace). */
    int pid();

    /** The spec it was spawned with ({@link WorkerSpec#cgroup()} = where it was first placed). */
    WorkerSpec spec();
}
