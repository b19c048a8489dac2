package dev.ktstr.protocol.guest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The harness's work-conservation watchdog fired: a worker saw a scheduling gap over the threshold
 * and sent SIGUSR2 to the scheduler (spec: the original's work-conservation check). Recorded so a
 * scheduler death that follows is reported as caused by the harness's signal, not as an unexplained
 * ejection.
 *
 * @param cgroup        the worker's cgroup (relative to the harness root)
 * @param workerIndex   the worker's index in its spawn group
 * @param tid           the worker's thread id (guest)
 * @param gapMs         the gap that triggered it
 * @param cpu           the CPU the worker was on when the gap ended
 * @param thresholdMs   the threshold in force
 * @param schedulerPid  the pid that was signalled
 * @param guestUptimeMs guest uptime when the signal was sent
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WatchdogEvent(String cgroup, int workerIndex, int tid, long gapMs, int cpu, long thresholdMs, int schedulerPid,
                            long guestUptimeMs) {}
