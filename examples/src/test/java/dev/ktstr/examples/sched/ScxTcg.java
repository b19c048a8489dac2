package dev.ktstr.examples.sched;

import dev.ktstr.scenario.verify.Assert;

/**
 * Settings the example schedulers share so they pass under QEMU TCG on small, busy CI hosts, where
 * a vCPU thread can go unscheduled on the host for a second or more.
 */
final class ScxTcg {
    private ScxTcg() {}

    /** Monitor verdicts need 30 consecutive samples (about 3 s) instead of 5 before failing. */
    static final Assert TOLERANT = Assert.NO_OVERRIDES.withSustainedSamples(30);

    /**
     * sched_ext watchdog for tests that are not about the watchdog: the harness default (4 s) ejects
     * a healthy scheduler when the guest's watchdog work item itself is starved by the host.
     */
    static final int WATCHDOG_S = 30;
}
