package dev.ktstr.guest.worker;

import dev.ktstr.scenario.runtime.WorkerSpec;

/**
 * One worker of a {@link HostLaunch}: the scenario's {@link WorkerSpec} plus where the worker meets
 * its group and reports progress.
 *
 * @param spec          the executor's spec (work type, affinity, policy, nice, mempolicy)
 * @param ipcDir        directory shared by the workers of one spawn group (FIFOs, futex pages)
 * @param privateDir    directory for the worker's own temp files (IoSync, Sequence io)
 * @param counterSlot   this worker's 8-byte slot in the host's counter file, or -1
 * @param watchdogPid   scheduler pid to SIGUSR2 after a long scheduling gap (0 = none)
 * @param watchdogGapMs gap threshold for that watchdog
 */
public record WorkerLaunch(WorkerSpec spec, String ipcDir, String privateDir, int counterSlot, int watchdogPid, long watchdogGapMs)
        implements java.io.Serializable {
    /** The original's work-conservation threshold (KVM); under TCG the host scales it (see WorkConservation). */
    public static final long DEFAULT_WATCHDOG_GAP_MS = 2_000;
}
