package dev.ktstr.guest.worker;

import dev.ktstr.scenario.runtime.WorkerHandle;
import dev.ktstr.scenario.runtime.WorkerSpec;

/**
 * One worker: a thread (or the only thread) of a {@link WorkerHost}. Identity, not value, equality:
 * the executor keys its bookkeeping by handle.
 */
public final class HostedWorker implements WorkerHandle {
    private final WorkerHost host;
    private final int index;
    private final WorkerSpec spec;
    private final int counterSlot;

    public HostedWorker(WorkerHost host, int index, WorkerSpec spec, int counterSlot) {
        this.host = host;
        this.index = index;
        this.spec = spec;
        this.counterSlot = counterSlot;
    }

    public WorkerHost host() {
        return host;
    }

    /** Position in the host's launch. */
    public int index() {
        return index;
    }

    public int counterSlot() {
        return counterSlot;
    }

    /** The process (tgid) the worker runs in. */
    @Override
    public int pid() {
        return host.pid();
    }

    /** The worker's own thread id once it is ready (affinity calls take it), else the host pid. */
    public int tid() {
        int t = host.tid(index);
        return t > 0 ? t : host.pid();
    }

    @Override
    public WorkerSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return "worker " + spec.workerIndex() + " of '" + spec.cgroup() + "' (host " + host.pid() + ", tid " + tid() + ")";
    }
}
