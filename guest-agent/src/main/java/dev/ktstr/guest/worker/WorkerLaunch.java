package dev.ktstr.guest.worker;

import dev.ktstr.scenario.runtime.WorkerSpec;

/**
 * What the agent hands a worker process (as a JSON file named on its command line): the
 * scenario's {@link WorkerSpec} plus where the worker meets its group and reports progress.
 *
 * @param spec          the executor's spec (work type, affinity, policy, nice, mempolicy)
 * @param ipcDir        directory shared by the workers of one spawn call (FIFOs, futex pages)
 * @param privateDir    directory for the worker's own temp files (IoSync, Sequence io)
 * @param counterFile   file mapped shared with the agent for live iteration counters, or null
 * @param counterSlot   this worker's 8-byte slot in {@code counterFile}
 * @param watchdogPid   scheduler pid to SIGUSR2 after a long scheduling gap (0 = none)
 * @param watchdogGapMs gap threshold for that watchdog (2000 in the original)
 */
public record WorkerLaunch(WorkerSpec spec, String ipcDir, String privateDir, String counterFile, int counterSlot,
                           int watchdogPid, long watchdogGapMs) {
    public static final long DEFAULT_WATCHDOG_GAP_MS = 2_000;
}
