package dev.ktstr.guest.worker;

/**
 * One worker loop. {@link #prepare} runs before the worker says "ready" (allocate buffers, open
 * IPC); {@link #iterate} is one outer iteration and must not allocate; {@link #wakeForStop} is
 * called from the stop watcher after the stop flag is set and must unblock any blocking call.
 */
public abstract class WorkLoop implements AutoCloseable {
    public void prepare() throws Exception {}

    /** Runs after the worker was released and placed, right before the first iteration. */
    public void beforeLoop() throws Exception {}

    public abstract void iterate(LoopProbe p) throws Exception;

    public void wakeForStop() {}

    /** Fan-out messengers record no wake latency. */
    public boolean messenger() {
        return false;
    }

    /** True when the loop owns iteration (Custom): the driver calls {@link #iterate} once. */
    public boolean ownsLoop() {
        return false;
    }

    @Override
    public void close() throws Exception {}
}
