package dev.ktstr.examples.sched;

import dev.ktstr.scenario.verify.Assert;
import java.time.Duration;

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

    /**
     * Time to reach "enabled": loading means running the BPF verifier under emulation, and on a 2-CPU
     * TCG host running the example suite's VMs side by side, attaches measured up to 7.6 s (scx_simple),
     * 11.8 s (scx_central, scx_flatcg) and 15.4 s (scx_qmap with -b 8 -H), against the harness's scaled
     * default of 12 s; a CI run lost qmap_batch_boost_steady to NOT_ATTACHED that way.
     */
    static final Duration ATTACH = Duration.ofSeconds(40);
}
