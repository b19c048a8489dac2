package dev.ktstr.scenario;

import dev.ktstr.scenario.sched.Eevdf;
import dev.ktstr.scenario.sched.SchedulerDefinition;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks {@code AssertResult name(Ctx ctx)} as a ktstr test: it runs inside a VM with the given
 * topology and scheduler (spec §1.2). Unset attributes ({@code -1}, {@code NaN},
 * {@link Inherit#UNSET}) inherit: topology and constraints from the scheduler, thresholds through
 * {@code defaults → scheduler → test}, the rest from the spec defaults noted on each attribute.
 * The annotation processor rejects invalid values at compile time.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface KtstrTest {

    // ---- topology (inherit from the scheduler's default topology, fallback 1n1l2c1t) ----
    int numaNodes() default -1;
    int llcs() default -1;
    /** Cores per LLC. */
    int cores() default -1;
    /** Threads per core. */
    int threads() default -1;
    /** Guest memory floor in MiB (default 2048). */
    int memoryMb() default -1;

    // ---- scheduler ----
    Class<? extends SchedulerDefinition> scheduler() default Eevdf.class;
    /** Appended after the scheduler's own args. */
    String[] extraSchedArgs() default {};
    /**
     * Host files packed into the guest at {@code /include-files/<basename>} (on the guest PATH), with
     * the shared-library closure of ELF files: payload binaries such as {@code "stress-ng"}. A bare
     * name is looked up in the working directory, then on the host PATH; anything else is a path
     * (spec §1.2 {@code extra_include_files}, §1.6). Regular files only.
     */
    String[] extraIncludeFiles() default {};
    /** sched_ext watchdog timeout in seconds (default 4). */
    int watchdogTimeoutS() default -1;
    /**
     * Seconds the scheduler may take, after its 1 s liveness window, to reach sched_ext state
     * "enabled" (wall time in the guest, not scaled). Default: the scheduler definition's
     * {@code attachTimeout}, else 3 s × (4 under TCG) × ceil(vCPUs / 4).
     */
    int attachTimeoutS() default -1;
    /**
     * The harness's work-conservation watchdog: a worker that sees a scheduling gap over
     * {@link #watchdogGapMs()} sends SIGUSR2 to the scheduler. {@code false} switches the signal
     * off (gaps are still checked against {@link #maxGapMs()}).
     */
    boolean workConservationWatchdog() default true;
    /** The work-conservation watchdog's gap threshold in ms; 0 = the harness default (2000 ms). */
    long watchdogGapMs() default 0;

    // ---- verification thresholds (see dev.ktstr.scenario.verify.Assert for units) ----
    Inherit notStarved() default Inherit.UNSET;
    Inherit isolation() default Inherit.UNSET;
    long maxGapMs() default -1;
    double maxSpreadPct() default Double.NaN;
    double maxThroughputCv() default Double.NaN;
    double minWorkRate() default Double.NaN;
    long maxP99WakeLatencyNs() default -1;
    double maxWakeLatencyCv() default Double.NaN;
    double minIterationRate() default Double.NaN;
    double maxMigrationRatio() default Double.NaN;
    double maxImbalanceRatio() default Double.NaN;
    int maxLocalDsqDepth() default -1;
    Inherit failOnStall() default Inherit.UNSET;
    int sustainedSamples() default -1;
    double maxFallbackRate() default Double.NaN;
    double maxKeepLastRate() default Double.NaN;
    double minPageLocality() default Double.NaN;
    double maxCrossNodeMigrationRatio() default Double.NaN;
    double maxSlowTierRatio() default Double.NaN;

    // ---- flags (must be declared by the scheduler's @DeclaredFlags) ----
    String[] requiredFlags() default {};
    String[] excludedFlags() default {};

    // ---- topology constraints for the gauntlet (inherit from the scheduler) ----
    int minNumaNodes() default -1;
    int maxNumaNodes() default -1;
    int minLlcs() default -1;
    int maxLlcs() default -1;
    int minCpus() default -1;
    int maxCpus() default -1;
    Inherit requiresSmt() default Inherit.UNSET;

    // ---- execution ----
    /** Workload duration per scenario in seconds (default 2). */
    int durationS() default -1;
    /** Default worker count per cgroup (default 2). */
    int workersPerCgroup() default -1;
    /** The test passes only if the run fails; disables auto-repro. */
    boolean expectErr() default false;
    /**
     * The test passes only if the scheduler fails with an exit message (sched_ext's
     * {@code <reason>: <message>}, e.g. {@code scx_bpf_error: test triggering error}) containing
     * this text; implies expectErr. Empty = not checked.
     */
    String expectSchedErrorContains() default "";
    /** As {@link #expectSchedErrorContains}, with a java.util.regex pattern found in the exit message. */
    String expectSchedErrorMatches() default "";
    /** An inconclusive verdict (the harness could not judge, e.g. the host starved the VM) does not fail the run. */
    boolean allowInconclusive() default false;
    /** Run the body on the host: no VM, no gauntlet. */
    boolean hostOnly() default false;
    /** On scheduler failure boot a second VM with probes. */
    boolean autoRepro() default true;
    /** vCPU pinning, hugepages, RT priority, LLC reservation. */
    boolean performanceMode() default false;
    /** Fail if host-side VM teardown takes longer (ms; default none). */
    long cleanupBudgetMs() default -1;
    /**
     * Runs of each variant (each its own VM and sidecar, spread over the workers): {@code stats compare}
     * needs several per side to tell a change from the noise of the host. {@code ktstr test --replicas N}
     * overrides it for a whole run.
     */
    int replicas() default 1;
}
