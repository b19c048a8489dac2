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

    public Deadlines {
        if (schedLivenessMs <= 0 || schedAttachMs <= 0 || cgroupWriteMs <= 0 || workerReadyMs <= 0
                || workerCollectMs <= 0 || testTimeoutMs <= 0) {
            throw new IllegalArgumentException("every deadline must be > 0 ms: " + this);
        }
    }
}
