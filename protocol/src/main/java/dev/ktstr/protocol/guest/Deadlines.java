package dev.ktstr.protocol.guest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Bounds on every wait inside the guest, in milliseconds. Defaults follow the original tool
 * (spec §10.8): 1 s scheduler liveness, 3 s attach, 2 s per cgroup write, 5 s worker collection.
 *
 * @param schedLivenessMs  how long the scheduler must stay alive after start (polled every 50 ms)
 * @param schedAttachMs    how long to wait for sched_ext state "enabled" after the liveness phase
 * @param cgroupWriteMs    per cgroupfs write (writes can block in the kernel)
 * @param workerReadyMs    worker process start until it reports "ready" (a worker JVM start under TCG is 1.2 s bare, 5-30 s with class loading on a busy host)
 * @param workerCollectMs  stop request until every report is in; then SIGKILL
 * @param testTimeoutMs    the whole test method; the agent reports a timeout and tears down after it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Deadlines(long schedLivenessMs, long schedAttachMs, long cgroupWriteMs, long workerReadyMs,
                        long workerCollectMs, long testTimeoutMs) {
    public static final Deadlines DEFAULT = new Deadlines(1_000, 3_000, 2_000, 60_000, 5_000, 600_000);
    /** Attach-window multiplier under QEMU's binary translator (TCG): BPF loading and map creation run emulated. */
    public static final int EMULATED_FACTOR = 4;
    /** Every further block of this many vCPUs adds one more attach window (per-CPU maps, per-CPU init). */
    public static final int CPUS_PER_WINDOW = 4;

    /**
     * The default deadlines for a VM: the spec's 3 s attach window multiplied by
     * {@code (emulated ? 4 : 1) × ceil(vcpus / 4)}, so 3 s under KVM with up to 4 vCPUs, 12 s under
     * TCG with up to 4, 24 s under TCG with 5-8. The 1 s liveness window is not scaled: it is the
     * time a scheduler must survive (every test waits it out in full), not a bound on slow work; a
     * scheduler dying later is still caught, with its exit status, by the monitor.
     */
    public static Deadlines forVm(boolean emulated, int vcpus) {
        if (vcpus <= 0) throw new IllegalArgumentException("vcpus must be > 0, got " + vcpus);
        long factor = (emulated ? EMULATED_FACTOR : 1) * (long) ((vcpus + CPUS_PER_WINDOW - 1) / CPUS_PER_WINDOW);
        return DEFAULT.withSchedAttachMs(DEFAULT.schedAttachMs() * factor);
    }

    public Deadlines {
        if (schedLivenessMs <= 0 || schedAttachMs <= 0 || cgroupWriteMs <= 0 || workerReadyMs <= 0
                || workerCollectMs <= 0 || testTimeoutMs <= 0) {
            throw new IllegalArgumentException("every deadline must be > 0 ms: " + this);
        }
    }

    public Deadlines withSchedAttachMs(long ms) {
        return new Deadlines(schedLivenessMs, ms, cgroupWriteMs, workerReadyMs, workerCollectMs, testTimeoutMs);
    }

    public Deadlines withTestTimeoutMs(long ms) {
        return new Deadlines(schedLivenessMs, schedAttachMs, cgroupWriteMs, workerReadyMs, workerCollectMs, ms);
    }
}
