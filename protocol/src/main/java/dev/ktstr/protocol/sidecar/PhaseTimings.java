package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Wall-clock time of each phase of one variant, milliseconds; null when the phase never happened or
 * could not be measured (a variant skipped before boot has all null). Host phases are measured on
 * the worker's clock, guest phases by the guest agent (GuestPhases).
 *
 * @param hostPrepareMs     job accepted until QEMU was started: artifacts, config, initramfs
 * @param qemuStartMs       QEMU process start until the first console output (firmware, kernel load)
 * @param kernelToInitMs    first console output until the kernel ran /init
 * @param agentJvmMs        guest agent JVM start until its main ran
 * @param bootMs            QEMU start until the guest agent's hello frame
 * @param agentReadyMs      hello until the scenario started: mounts, scheduler attach, cgroup setup
 * @param schedulerAttachMs scheduler start until sched_ext "enabled" (null: no scheduler process)
 * @param workerSpawnMs     summed worker spawns (worker hosts started, READY, placed in cgroups)
 * @param scenarioMs        scenario start until scenario end in the guest (the workload, incl. spawn and collection)
 * @param collectionMs      summed stop-request-to-reports time
 * @param teardownMs        the guest's last word until QEMU exited and host resources were released
 * @param totalMs           job accepted until its result was ready
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PhaseTimings(Long hostPrepareMs, Long qemuStartMs, Long kernelToInitMs, Long agentJvmMs, Long bootMs,
                           Long agentReadyMs, Long schedulerAttachMs, Long workerSpawnMs, Long scenarioMs, Long collectionMs,
                           Long teardownMs, Long totalMs) {
    public static PhaseTimings none() {
        return new PhaseTimings(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The old four-phase form (sidecars written before the full breakdown). */
    public static PhaseTimings basic(Long bootMs, Long agentReadyMs, Long scenarioMs, Long teardownMs) {
        return new PhaseTimings(null, null, null, null, bootMs, agentReadyMs, null, null, scenarioMs, null, teardownMs, null);
    }
}
