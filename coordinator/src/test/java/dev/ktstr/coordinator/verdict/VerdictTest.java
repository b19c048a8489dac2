package dev.ktstr.coordinator.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.guest.SchedExtExit;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.job.SchedErrorMatch;
import dev.ktstr.protocol.job.VerdictTerms;
import dev.ktstr.protocol.outcome.MonitorOutcome;
import dev.ktstr.protocol.outcome.VmEnd;
import dev.ktstr.protocol.outcome.VmOutcome;
import dev.ktstr.protocol.outcome.VmRun;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The verdict over outcomes recorded from real VM runs (TCG, kernel 6.12 with sched_ext, the
 * examples suite; logs trimmed and worker reports without their histograms, to keep the files
 * small). {@code pass-eevdf-steady.json}: {@code ktstr/steady} (EEVDF, 2 vCPUs), journaled by the
 * version before the typed outcome and converted from its payload;
 * {@code check-failure-impossible-iteration-rate.json} and {@code sched-death-qmap-bpf-error.json}
 * (scx_qmap {@code -e 5000}: the scheduler is ejected by its own scx_bpf_error) (it predates SchedExit.attached; its guest log says "attached as 'qmap'", so the
 * field was added as true): the examples'
 * expectErr tests, and {@code pass-qmap-cgroup-add.json} (scx_qmap, host monitor checks run and
 * passed), journaled as typed outcomes. Cases no small real run
 * produces on demand (monitor failure, timeout, boot oops, kernel crash, cleanup budget, channel
 * problems) are a recording with one fact changed, each named where it is made.
 */
class VerdictTest {
    static final VerdictTerms PLAIN = VerdictTerms.DEFAULT;
    static final VerdictTerms EXPECT_ERR = new VerdictTerms(true, null);

    /** A worker's COMPLETED result as the coordinator journaled it (the outcome and timings are the worker's). */
    static JobResult recorded(String name) throws Exception {
        try (InputStream in = VerdictTest.class.getResourceAsStream(name + ".json")) {
            assertThat(in).as("recorded outcome " + name).isNotNull();
            return new ObjectMapper().readValue(in, JobResult.class);
        }
    }

    static Verdict.Judgement judge(JobResult r, VerdictTerms terms) {
        return Verdict.judge(r.outcome(), r.phaseTimingsMs(), terms);
    }

    static VmOutcome withEnd(VmOutcome o, VmEnd end) {
        VmRun vm = o.vm();
        return new VmOutcome(new VmRun(vm.accelerator(), vm.acceleratorReason(), vm.machine(), end, vm.elapsedMs(), vm.retries(),
                vm.hostStarvation()),
                o.hello(), o.guestResult(), o.guestExit(), o.schedExit(), o.crash(), o.workerReports(), o.stimuli(), o.guestPhases(),
                o.watchdogEvents(), o.monitor(), o.monitorOff(), o.perf(), o.channelProblems(), o.logs(), o.initramfs(), o.host(),
                o.skipReason());
    }

    static VmOutcome withMonitor(VmOutcome o, MonitorOutcome m) {
        return new VmOutcome(o.vm(), o.hello(), o.guestResult(), o.guestExit(), o.schedExit(), o.crash(), o.workerReports(),
                o.stimuli(), o.guestPhases(), o.watchdogEvents(), m, o.monitorOff(), o.perf(), o.channelProblems(), o.logs(),
                o.initramfs(), o.host(), o.skipReason());
    }

    @Test
    void aPassingRunPassesAndFailsWhenTheTestExpectedAnError() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        assertThat(r.status()).isEqualTo(JobStatus.PASS);
        Verdict.Judgement plain = judge(r, PLAIN);
        assertThat(plain.status()).isEqualTo(JobStatus.PASS);
        assertThat(plain.message()).isEqualTo("passed");
        assertThat(plain.details()).isEmpty();
        Verdict.Judgement inverted = judge(r, EXPECT_ERR);
        assertThat(inverted.status()).isEqualTo(JobStatus.FAIL);
        assertThat(inverted.message()).isEqualTo("expected test to fail but it passed");
        assertThat(inverted.details()).contains("--- console (last lines) ---");
    }

    @Test
    void aFailedCheckFailsAndPassesWhenExpected() throws Exception {
        JobResult r = recorded("check-failure-impossible-iteration-rate");
        Verdict.Judgement plain = judge(r, PLAIN);
        assertThat(plain.status()).isEqualTo(JobStatus.FAIL);
        assertThat(plain.message()).isEqualTo("BENCHMARK: tid 113 iteration rate 8898.8/s below threshold 1000000000000");
        assertThat(plain.details()).contains("  BENCHMARK: tid 113 iteration rate 8898.8/s below threshold 1000000000000\n")
                .contains("--- guest log (last lines) ---").contains("--- console (last lines) ---");
        Verdict.Judgement expected = judge(r, EXPECT_ERR);
        assertThat(expected.status()).isEqualTo(JobStatus.PASS);
        assertThat(expected.message()).isEqualTo("failed as expected: " + plain.message());
        assertThat(expected.details()).doesNotContain("--- console (last lines) ---");
        // what the coordinator journaled for this expectErr test is what the function says
        assertThat(r.status()).isEqualTo(expected.status());
        assertThat(r.message()).isEqualTo(expected.message());
    }

    @Test
    void aSchedulerDeathFailsAndPassesAnExpectErrTest() throws Exception {
        JobResult r = recorded("sched-death-qmap-bpf-error");
        assertThat(r.outcome().schedExit()).isNotNull();
        Verdict.Judgement plain = judge(r, PLAIN);
        assertThat(plain.status()).isEqualTo(JobStatus.FAIL);
        assertThat(plain.message()).isEqualTo("SCHEDULER_DIED: scheduler process died unexpectedly during step 0 of 1 (31.0s into test)");
        Verdict.Judgement expected = judge(r, EXPECT_ERR);
        assertThat(expected.status()).isEqualTo(JobStatus.PASS);
        assertThat(expected.message()).isEqualTo("failed as expected: " + plain.message());
        assertThat(r.status()).isEqualTo(expected.status());

        // changed fact: the guest died with the scheduler before it could send its result
        VmOutcome o = r.outcome();
        VmOutcome noResult = new VmOutcome(o.vm(), o.hello(), null, o.guestExit(), o.schedExit(), o.crash(), o.workerReports(),
                o.stimuli(), o.guestPhases(), o.watchdogEvents(), o.monitor(), o.monitorOff(), o.perf(), o.channelProblems(), o.logs(),
                o.initramfs(), o.host(), o.skipReason());
        Verdict.Judgement died = Verdict.judge(noResult, r.phaseTimingsMs(), PLAIN);
        assertThat(died.status()).isEqualTo(JobStatus.FAIL);
        assertThat(died.message()).startsWith("scheduler died: EJECTED sched_ext state went to 'disabling'");
        assertThat(died.details()).startsWith("--- scheduler log tail ---\n");
        assertThat(Verdict.judge(noResult, r.phaseTimingsMs(), EXPECT_ERR).status()).isEqualTo(JobStatus.PASS);
    }

    static VmOutcome withSchedExit(VmOutcome o, SchedExit se) {
        return new VmOutcome(o.vm(), o.hello(), o.guestResult(), o.guestExit(), se, o.crash(), o.workerReports(), o.stimuli(),
                o.guestPhases(), o.watchdogEvents(), o.monitor(), o.monitorOff(), o.perf(), o.channelProblems(), o.logs(), o.initramfs(),
                o.host(), o.skipReason());
    }

    static SchedExit withAccount(SchedExit s, SchedExtExit x) {
        return new SchedExit(s.reason(), s.exitCode(), s.sysfsState(), s.detail(), s.logTail(), s.log(), s.guestUptimeMs(), s.attached(), x);
    }

    /** {@code sched-error-qmap-unexpected.json}: scx_qmap -e 5000 in a test that does not expect it (recorded by this branch's agent). */
    @Test
    void anUnexpectedScxBpfErrorLeadsTheMessageInSchedExtsWords() throws Exception {
        JobResult r = recorded("sched-error-qmap-unexpected");
        SchedExtExit x = r.outcome().schedExit().schedExt();
        assertThat(x.kind()).isEqualTo(SchedExtExit.Kind.ERROR_BPF);
        assertThat(x.bpfErrorText()).isEqualTo("test triggering error");
        assertThat(x.dump()).startsWith("kw-cg_0-0[155] triggered exit kind 1025:\n  scx_bpf_error (test triggering error)");
        assertThat(r.outcome().schedExit().attached()).isTrue();
        Verdict.Judgement plain = judge(r, PLAIN);
        assertThat(plain.status()).isEqualTo(JobStatus.FAIL);
        assertThat(plain.message()).startsWith("scheduler error: scx_bpf_error: test triggering error; SCHEDULER_DIED: ");
        assertThat(plain.details()).contains("--- sched_ext exit ---\n  kind ERROR_BPF, reason 'scx_bpf_error', message 'test triggering error' (from the kernel log, scheduler log)");
        assertThat(r.message()).isEqualTo(plain.message());
        assertThat(judge(r, EXPECT_ERR).status()).isEqualTo(JobStatus.PASS);
    }

    @Test
    void aMatcherPassesOnTheRightMessageAndFailsOnAWrongOne() throws Exception {
        JobResult r = recorded("sched-error-qmap-unexpected");
        Verdict.Judgement right = judge(r, new VerdictTerms(true, null, SchedErrorMatch.of("test triggering error", "^scx_bpf_error: "), false));
        assertThat(right.status()).isEqualTo(JobStatus.PASS);
        assertThat(right.message()).startsWith("failed as expected: scheduler error: scx_bpf_error: test triggering error");
        Verdict.Judgement wrong = judge(r, new VerdictTerms(false, null, SchedErrorMatch.of("runnable task stall", null), false));
        assertThat(wrong.status()).isEqualTo(JobStatus.FAIL);
        assertThat(wrong.message()).isEqualTo(
                "expected a scheduler error containing 'runnable task stall', but it exited with 'scx_bpf_error: test triggering error'");
        Verdict.Judgement regex = judge(r, new VerdictTerms(true, null, SchedErrorMatch.of(null, "stall|watchdog"), false));
        assertThat(regex.status()).isEqualTo(JobStatus.FAIL);
        // a failing check with no scheduler exit message cannot satisfy a matcher
        Verdict.Judgement noExit = judge(recorded("check-failure-impossible-iteration-rate"),
                new VerdictTerms(true, null, SchedErrorMatch.of("anything", null), false));
        assertThat(noExit.status()).isEqualTo(JobStatus.FAIL);
        assertThat(noExit.message()).startsWith("expected a scheduler error containing 'anything', but the scheduler gave no sched_ext exit message");
    }

    @Test
    void anExpectedErrorCountsOnlyWhenTheSchedulerHadAttached() throws Exception {
        JobResult r = recorded("sched-error-qmap-unexpected");
        SchedExit seen = r.outcome().schedExit();
        // changed fact: the same death, but the scheduler never reached "enabled"
        SchedExit never = new SchedExit(SchedExit.Reason.NOT_ATTACHED, -1, "disabled", "scx_qmap did not reach enabled", seen.logTail(),
                seen.log(), seen.guestUptimeMs(), false, null);
        Verdict.Judgement j = Verdict.judge(withSchedExit(r.outcome(), never), r.phaseTimingsMs(), EXPECT_ERR);
        assertThat(j.status()).isEqualTo(JobStatus.FAIL);
        assertThat(j.message()).isEqualTo("expected the scheduler to fail, but it never attached: NOT_ATTACHED scx_qmap did not reach enabled");
    }

    /**
     * Recorded: {@code scx_simple --no-such-option} in an expectErr test (it prints its usage and exits
     * 1 before it attaches) and scx_qmap -e 5000 under a matcher naming a stall; both really FAILed.
     */
    @Test
    void aSchedulerThatCannotLoadFailsAnExpectErrTestAndAWrongMatcherFails() throws Exception {
        JobResult start = recorded("sched-start-failed-simple-bad-option");
        assertThat(start.outcome().schedExit().attached()).isFalse();
        assertThat(start.status()).isEqualTo(JobStatus.FAIL);
        Verdict.Judgement j = judge(start, EXPECT_ERR);
        assertThat(j.status()).isEqualTo(JobStatus.FAIL);
        assertThat(j.message()).isEqualTo("expected the scheduler to fail, but it never attached: EXITED scheduler exited with 1 within 1000 ms of its start");
        assertThat(start.message()).isEqualTo(j.message());
        JobResult wrong = recorded("sched-error-qmap-wrong-matcher");
        assertThat(wrong.status()).isEqualTo(JobStatus.FAIL);
        assertThat(wrong.message()).isEqualTo(
                "expected a scheduler error containing 'runnable task stall', but it exited with 'scx_bpf_error: test triggering error'");
        // the same recorded outcome under the right matcher passes
        assertThat(judge(wrong, new VerdictTerms(true, null, SchedErrorMatch.of("test triggering error", null), false)).status())
                .isEqualTo(JobStatus.PASS);
    }

    /** Recorded: the example qmap_stalled_task_ejected ({@code scx_qmap -t 100}, expectErr): the sched_ext watchdog ejected it. */
    @Test
    void aStallNamesTheStalledTask() throws Exception {
        JobResult r = recorded("sched-stall-qmap");
        SchedExtExit x = r.outcome().schedExit().schedExt();
        assertThat(x.kind()).isEqualTo(SchedExtExit.Kind.ERROR_STALL);
        assertThat(x.message()).isEqualTo("C1 CompilerThre[136] failed to run for 6.957s");
        assertThat(x.backtrace()).first().isEqualTo("scx_watchdog_workfn+0x112/0x1a0");
        assertThat(x.dump()).startsWith("kworker/u8:0[12] triggered exit kind 1026:");
        Verdict.Judgement plain = judge(r, PLAIN);
        assertThat(plain.status()).isEqualTo(JobStatus.FAIL);
        assertThat(plain.message()).startsWith("scheduler error: runnable task stall: C1 CompilerThre[136] failed to run for 6.957s; ");
        assertThat(judge(r, EXPECT_ERR).status()).isEqualTo(JobStatus.PASS);
        assertThat(r.status()).isEqualTo(JobStatus.PASS);
        assertThat(judge(r, new VerdictTerms(true, null, SchedErrorMatch.of(null, "^runnable task stall: .*failed to run for"), false)).status())
                .isEqualTo(JobStatus.PASS);
    }

    @Test
    void aCleanUnregistrationIsNotReportedAsACrash() throws Exception {
        JobResult r = recorded("sched-error-qmap-unexpected");
        // changed fact: the scheduler left by scx_bpf_exit (SCX_EXIT_UNREG_BPF) in the middle of the test
        SchedExtExit clean = new SchedExtExit(SchedExtExit.Kind.UNREG_BPF, "unregistered from BPF", null, null, List.of(), "scheduler log");
        Verdict.Judgement j = Verdict.judge(withSchedExit(r.outcome(), withAccount(r.outcome().schedExit(), clean)), r.phaseTimingsMs(), PLAIN);
        assertThat(j.status()).isEqualTo(JobStatus.FAIL); // the test lost its scheduler
        assertThat(j.message()).startsWith("scheduler unregistered (unregistered from BPF) before the test ended, not a crash; ")
                .doesNotContain("scheduler error");
        // the agent's own stop at the end of a passing test is no account at all
        SchedExit stopped = new SchedExit(SchedExit.Reason.STOPPED, 0, "disabled", "stopped by the agent at the end of the test", "", "", 1,
                true, new SchedExtExit(SchedExtExit.Kind.UNREG, "unregistered from user space", null, null, List.of(), "scheduler log"));
        assertThat(Verdict.schedulerAccount(stopped)).isNull();
    }

    @Test
    void aSchedulerKilledByTheWatchdogsSignalIsReportedAsKilledByTheHarnessNotAsUnregistered() throws Exception {
        JobResult r = recorded("sched-error-qmap-unexpected");
        // changed fact: the process died of SIGUSR2 (exit 140) after the watchdog fired; the kernel then
        // reported the user-space unregistration that a closed struct_ops link causes
        String detail = "killed by the harness's work-conservation watchdog after a 2400 ms gap on CPU 1 (worker 0 of cgroup cg_0,"
                + " SIGUSR2 at 12.3 s; threshold 1 ms): the watchdog's SIGUSR2 ended the scheduler, which does not handle it"
                + " (scheduler was killed by SIGUSR2 (signal 12; exit status 140))";
        SchedExit se = r.outcome().schedExit();
        SchedExit killed = new SchedExit(SchedExit.Reason.EXITED, 140, "disabled", detail, se.logTail(), se.log(), se.guestUptimeMs(), true,
                new SchedExtExit(SchedExtExit.Kind.UNREG, "unregistered from user space", null, null, List.of(), "kernel log"));
        assertThat(Verdict.schedulerAccount(killed)).startsWith("scheduler died: killed by the harness's work-conservation watchdog");
        Verdict.Judgement j = Verdict.judge(withSchedExit(r.outcome(), killed), r.phaseTimingsMs(), PLAIN);
        assertThat(j.status()).isEqualTo(JobStatus.FAIL);
        assertThat(j.message()).contains("killed by the harness's work-conservation watchdog after a 2400 ms gap on CPU 1")
                .doesNotContain("not a crash").doesNotContain("unregistered (");
        // the guest saw sched_ext disabled before the process's exit status (what a real TCG run reports)
        SchedExit ejected = new SchedExit(SchedExit.Reason.EJECTED, 140, "disabled", detail, se.logTail(), se.log(), se.guestUptimeMs(),
                true, killed.schedExt());
        assertThat(Verdict.judge(withSchedExit(r.outcome(), ejected), r.phaseTimingsMs(), PLAIN).message())
                .contains("killed by the harness's work-conservation watchdog").doesNotContain("not a crash");
        // an error exit that was then signalled keeps the scheduler's own error first
        SchedExit errored = new SchedExit(SchedExit.Reason.EXITED, 140, "disabled", detail, "", "", 1, true,
                new SchedExtExit(SchedExtExit.Kind.ERROR_BPF, "scx_bpf_error", "boom", null, List.of(), "kernel log"));
        assertThat(Verdict.schedulerAccount(errored)).startsWith("scheduler error: scx_bpf_error");
    }

    @Test
    void aRecordedWatchdogKillIsReportedAsTheHarnessesDoing() throws Exception {
        // recorded from the fixture suite's usr2_kills case (real TCG run): the guest saw sched_ext
        // disabled first (EJECTED), then exit status 140 (SIGUSR2); the kernel says "unregistered from user space"
        JobResult r = recorded("sched-killed-by-watchdog-fixture");
        assertThat(r.outcome().schedExit().reason()).isEqualTo(SchedExit.Reason.EJECTED);
        Verdict.Judgement j = judge(r, PLAIN);
        assertThat(j.status()).isEqualTo(JobStatus.FAIL);
        assertThat(j.message()).startsWith("scheduler died: killed by the harness's work-conservation watchdog")
                .doesNotContain("not a crash");
    }

    static VmOutcome withHostStarvation(VmOutcome o, dev.ktstr.protocol.outcome.HostStarvation hs) {
        VmRun vm = o.vm();
        return new VmOutcome(new VmRun(vm.accelerator(), vm.acceleratorReason(), vm.machine(), vm.end(), vm.elapsedMs(),
                vm.retries(), hs), o.hello(), o.guestResult(), o.guestExit(), o.schedExit(), o.crash(), o.workerReports(), o.stimuli(),
                o.guestPhases(), o.watchdogEvents(), o.monitor(), o.monitorOff(), o.perf(), o.channelProblems(), o.logs(), o.initramfs(),
                o.host(), o.skipReason());
    }

    @Test
    void aTimingFailureAcrossAHostStarvationIsInconclusiveButASchedulerErrorStaysAFailure() throws Exception {
        VerdictTerms gap2s = new VerdictTerms(false, null, null, false, 2000L);
        JobResult rate = recorded("check-failure-impossible-iteration-rate");
        // changed fact: the host kept vCPU 1 waiting 2.5 s
        dev.ktstr.protocol.outcome.HostStarvation starved = new dev.ktstr.protocol.outcome.HostStarvation(2500, 1, 2600, 120, 100);
        VmOutcome o = withHostStarvation(rate.outcome(), starved);
        Verdict.Judgement j = Verdict.judge(o, rate.phaseTimingsMs(), gap2s);
        assertThat(j.status()).isEqualTo(JobStatus.INCONCLUSIVE);
        assertThat(j.message()).startsWith("inconclusive: the host starved the guest: vCPU 1's thread waited 2500 ms runnable on the host, "
                + "over the 2000 ms gap limit").contains("the verdict would have been FAIL: BENCHMARK: ");
        // an expected timing failure cannot be trusted either
        assertThat(Verdict.judge(o, rate.phaseTimingsMs(), new VerdictTerms(true, null, null, false, 2000L)).status())
                .isEqualTo(JobStatus.INCONCLUSIVE);
        // under the limit, or not measured: the verdict stands
        assertThat(Verdict.judge(o, rate.phaseTimingsMs(), new VerdictTerms(false, null, null, false, 3000L)).status()).isEqualTo(JobStatus.FAIL);
        assertThat(judge(rate, gap2s).status()).isEqualTo(JobStatus.FAIL);
        // a passing test stays a pass: starvation only makes timing look worse
        JobResult pass = recorded("pass-eevdf-steady");
        assertThat(Verdict.judge(withHostStarvation(pass.outcome(), starved), pass.phaseTimingsMs(), gap2s).status()).isEqualTo(JobStatus.PASS);
        // the scheduler's own error is a failure whatever the host did
        JobResult err = recorded("sched-error-qmap-unexpected");
        assertThat(Verdict.judge(withHostStarvation(err.outcome(), starved), err.phaseTimingsMs(), gap2s).status()).isEqualTo(JobStatus.FAIL);
        assertThat(JobStatus.FAIL.severity()).isGreaterThan(JobStatus.INCONCLUSIVE.severity());
        assertThat(JobStatus.INCONCLUSIVE.severity()).isGreaterThan(JobStatus.PASS.severity());
        assertThat(JobStatus.PASS.severity()).isGreaterThan(JobStatus.SKIP.severity());
    }

    @Test
    void aFailedMonitorCheckFailsAPassingGuest() throws Exception {
        JobResult r = recorded("pass-qmap-cgroup-add");
        MonitorOutcome seen = r.outcome().monitor();
        assertThat(seen).as("the recorded qmap run had the host monitor").isNotNull();
        assertThat(seen.checksRun()).isTrue();
        assertThat(judge(r, PLAIN).status()).isEqualTo(JobStatus.PASS);
        // changed fact: the checks found an imbalance
        MonitorOutcome failed = new MonitorOutcome(seen.metrics(), seen.problems(), true, seen.scxEnabledForMs(), true, false,
                seen.summary(), List.of("imbalance ratio 9.0 > 4.0 for 5 samples"), null);
        Verdict.Judgement j = Verdict.judge(withMonitor(r.outcome(), failed), r.phaseTimingsMs(), PLAIN);
        assertThat(j.status()).isEqualTo(JobStatus.FAIL);
        assertThat(j.message()).isEqualTo("MONITOR: imbalance ratio 9.0 > 4.0 for 5 samples");
        assertThat(j.details()).contains("  MONITOR: imbalance ratio 9.0 > 4.0 for 5 samples");
        // checks that did not run decide nothing
        MonitorOutcome notRun = new MonitorOutcome(seen.metrics(), seen.problems(), false, null, false, null, null, List.of(),
                "monitor checks not run: no sched_ext scheduler was seen enabled by the monitor");
        assertThat(Verdict.judge(withMonitor(r.outcome(), notRun), r.phaseTimingsMs(), PLAIN).status()).isEqualTo(JobStatus.PASS);
    }

    @Test
    void aTimedOutVmIsATimeoutWhateverTheTestExpected() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        // changed fact: the host deadline passed after /init ran
        VmOutcome o = withEnd(r.outcome(), new VmEnd(VmEnd.Kind.TIMEOUT, "timed out after 240 s", false));
        for (VerdictTerms t : List.of(PLAIN, EXPECT_ERR)) {
            Verdict.Judgement j = Verdict.judge(o, r.phaseTimingsMs(), t);
            assertThat(j.status()).isEqualTo(JobStatus.TIMEOUT);
            assertThat(j.message()).isEqualTo("VM timed out after 240 s");
        }
    }

    @Test
    void aBootThatNeverReachedInitIsAnInfrastructureErrorNotATimeout() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        // changed fact: the boot deadline stopped a guest whose /init never printed its start marker
        VmOutcome o = withEnd(r.outcome(), new VmEnd(VmEnd.Kind.TIMEOUT, "timed out after 76 s (guest never reached /init)", true));
        for (VerdictTerms t : List.of(PLAIN, EXPECT_ERR)) {
            Verdict.Judgement j = Verdict.judge(o, r.phaseTimingsMs(), t);
            assertThat(j.status()).isEqualTo(JobStatus.INFRA_ERROR);
            assertThat(j.message()).contains("guest never reached /init");
        }
    }

    @Test
    void anInfrastructureEndIsNeverATestVerdict() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        // changed fact: the guest kernel oopsed during boot (the TCG early-boot class)
        VmOutcome o = withEnd(r.outcome(), new VmEnd(VmEnd.Kind.KERNEL_PANIC, "kernel crash during boot: Oops: int3", true));
        for (VerdictTerms t : List.of(PLAIN, EXPECT_ERR)) {
            Verdict.Judgement j = Verdict.judge(o, r.phaseTimingsMs(), t);
            assertThat(j.status()).isEqualTo(JobStatus.INFRA_ERROR);
            assertThat(j.message()).isEqualTo("kernel crash during boot: Oops: int3");
        }
        VmOutcome qemu = withEnd(r.outcome(), new VmEnd(VmEnd.Kind.QEMU_ERROR, "QEMU failed (exit status 1): KVM internal error", false));
        assertThat(Verdict.judge(qemu, r.phaseTimingsMs(), EXPECT_ERR).status()).isEqualTo(JobStatus.INFRA_ERROR);
    }

    @Test
    void aKernelCrashInTheTestFailsEvenAnExpectErrTest() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        // changed fact: the kernel crashed after /init, and the guest sent neither result nor scheduler exit
        VmOutcome o = withEnd(r.outcome(), new VmEnd(VmEnd.Kind.KERNEL_PANIC, "kernel crash: BUG: unable to handle page fault", false));
        o = new VmOutcome(o.vm(), o.hello(), null, null, null, null, o.workerReports(), o.stimuli(), o.guestPhases(), o.watchdogEvents(),
                o.monitor(), o.monitorOff(), o.perf(), o.channelProblems(), o.logs(), o.initramfs(), o.host(), null);
        Verdict.Judgement j = Verdict.judge(o, r.phaseTimingsMs(), EXPECT_ERR);
        assertThat(j.status()).isEqualTo(JobStatus.FAIL);
        assertThat(j.message()).isEqualTo("expected the scheduler to fail, but guest kernel panicked: kernel crash: BUG: unable to handle page fault");
    }

    @Test
    void teardownOverTheCleanupBudgetFailsAPassingTest() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        Long teardown = r.phaseTimingsMs().get("teardown");
        assertThat(teardown).isNotNull();
        Verdict.Judgement over = Verdict.judge(r.outcome(), r.phaseTimingsMs(), new VerdictTerms(false, teardown - 1));
        assertThat(over.status()).isEqualTo(JobStatus.FAIL);
        assertThat(over.details()).startsWith("teardown took " + teardown + " ms, over cleanupBudgetMs=" + (teardown - 1));
        assertThat(Verdict.judge(r.outcome(), r.phaseTimingsMs(), new VerdictTerms(false, teardown)).status()).isEqualTo(JobStatus.PASS);
    }

    @Test
    void channelProblemsAndRetriesAreEvidenceInAFailure() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        VmOutcome o = r.outcome();
        VmRun vm = o.vm();
        // changed facts: a corrupted frame and one retried boot
        o = new VmOutcome(new VmRun(vm.accelerator(), vm.acceleratorReason(), vm.machine(), vm.end(), vm.elapsedMs(),
                List.of(new VmRun.VmRetry(new VmEnd(VmEnd.Kind.KERNEL_PANIC, "kernel crash during boot: Oops", true), 1500))),
                o.hello(), o.guestResult(), o.guestExit(), o.schedExit(), o.crash(), o.workerReports(), o.stimuli(), o.guestPhases(),
                o.watchdogEvents(), o.monitor(), o.monitorOff(), o.perf(), List.of("data channel offset 4096: CRC mismatch"), o.logs(),
                o.initramfs(), o.host(), o.skipReason());
        // a passing guest judged as expectErr: a failure, so the evidence is quoted
        Verdict.Judgement j = Verdict.judge(o, r.phaseTimingsMs(), EXPECT_ERR);
        assertThat(j.status()).isEqualTo(JobStatus.FAIL);
        assertThat(j.details()).contains("--- guest data channel problems ---\n  data channel offset 4096: CRC mismatch\n")
                .contains("VM retried once after: kernel crash during boot: Oops\n");
    }

    @Test
    void applyJudgesOnlyCompletedResults() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        JobResult completed = new JobResult(r.jobId(), r.variantName(), JobStatus.COMPLETED, "VM ended", "", r.workerNode(),
                r.accelerator(), r.phaseTimingsMs(), r.attempt(), r.outcome());
        JobResult judged = Verdict.apply(completed, PLAIN);
        assertThat(judged.status()).isEqualTo(JobStatus.PASS);
        assertThat(judged.outcome()).isSameAs(r.outcome());
        JobResult lost = new JobResult("j", "v", JobStatus.INFRA_ERROR, "worker lost", "", null, null, new HashMap<>(Map.of()), 0, null);
        assertThat(Verdict.apply(lost, EXPECT_ERR)).isSameAs(lost);
        JobResult empty = new JobResult("j", "v", JobStatus.COMPLETED, "", "", null, null, Map.of(), 0, null);
        assertThat(Verdict.apply(empty, PLAIN).status()).isEqualTo(JobStatus.INFRA_ERROR);
    }

    static VmOutcome damaged(VmOutcome o, com.fasterxml.jackson.databind.JsonNode result, dev.ktstr.protocol.guest.ExitInfo exit) {
        return new VmOutcome(o.vm(), o.hello(), result, exit, o.schedExit(), o.crash(), o.workerReports(), o.stimuli(),
                o.guestPhases(), o.watchdogEvents(), o.monitor(), o.monitorOff(), o.perf(),
                List.of("data channel offset 812: checksum mismatch in LOG frame of 3000 bytes",
                        VmOutcome.CHANNEL_DAMAGED + "1 problems in the byte stream, 3012 bytes skipped while resynchronising; frames may be missing"),
                o.logs(), o.initramfs(), o.host(), o.skipReason());
    }

    /** A damaged stream (one fact changed on a passing recording): never a silent PASS, an INFRA verdict when RESULT or EXIT is lost. */
    @Test
    void aDamagedChannelIsNotedWhenResultAndExitSurviveAndIsInfraWhenEitherWasLost() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        VmOutcome o = r.outcome();
        assertThat(o.guestExit()).isNotNull();

        Verdict.Judgement intact = Verdict.judge(damaged(o, o.guestResult(), o.guestExit()), r.phaseTimingsMs(), PLAIN);
        assertThat(intact.status()).isEqualTo(JobStatus.PASS);
        assertThat(intact.message()).contains("NOTE: guest data channel damaged");
        assertThat(intact.details()).startsWith("NOTE: the guest data channel was damaged")
                .contains("--- guest data channel problems ---").contains("checksum mismatch in LOG frame");

        JobResult lostResult = new JobResult("job-7", "steady/eevdf", JobStatus.COMPLETED, "", "", "w1", null, r.phaseTimingsMs(), 0,
                damaged(o, null, o.guestExit()));
        JobResult judged = Verdict.apply(lostResult, PLAIN);
        assertThat(judged.status()).isEqualTo(JobStatus.INFRA_ERROR);
        assertThat(judged.message()).startsWith(Verdict.CHANNEL_CORRUPTED).contains("RESULT frame was lost")
                .contains("[job job-7, steady/eevdf]");

        Verdict.Judgement lostExit = Verdict.judge(damaged(o, o.guestResult(), null), r.phaseTimingsMs(), PLAIN);
        assertThat(lostExit.status()).isEqualTo(JobStatus.INFRA_ERROR);
        assertThat(lostExit.message()).contains("EXIT frame was lost").contains("would have been PASS");

        // an undamaged stream without a RESULT stays the guest's failure
        assertThat(Verdict.judge(withEnd(o, o.vm().end()), r.phaseTimingsMs(), PLAIN).status()).isEqualTo(JobStatus.PASS);
    }

    /** A stream cut cleanly between frames has no damage to see; the console's KTSTR_EXIT still tells a lost RESULT from a silent agent. */
    @Test
    void aResultLostWithoutDamageIsInfraWhenTheConsoleSaysTheAgentHadAVerdict() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        VmOutcome o = r.outcome();
        VmOutcome noResult = new VmOutcome(o.vm(), o.hello(), null, null, o.schedExit(), o.crash(), o.workerReports(), o.stimuli(),
                o.guestPhases(), o.watchdogEvents(), o.monitor(), o.monitorOff(), o.perf(), List.of(), o.logs(), o.initramfs(), o.host(),
                o.skipReason());
        for (int agentCode : new int[] {0, 1}) {
            VmEnd end = new VmEnd(VmEnd.Kind.GUEST_POWEROFF, "guest powered off (exit code " + agentCode + ")", false, agentCode);
            JobResult lost = new JobResult("job-9", "steady/eevdf", JobStatus.COMPLETED, "", "", "w1", null, r.phaseTimingsMs(), 0,
                    withEnd(noResult, end));
            JobResult judged = Verdict.apply(lost, PLAIN);
            assertThat(judged.status()).isEqualTo(JobStatus.INFRA_ERROR);
            assertThat(judged.message()).startsWith(Verdict.CHANNEL_CORRUPTED).contains("exited " + agentCode)
                    .contains("RESULT frame never arrived").contains("[job job-9, steady/eevdf]");
        }
        // the agent's own error code, or no code at all, stays the guest's failure
        for (Integer code : new Integer[] {3, null}) {
            VmEnd end = new VmEnd(VmEnd.Kind.GUEST_POWEROFF, "guest powered off", false, code);
            Verdict.Judgement j = Verdict.judge(withEnd(noResult, end), r.phaseTimingsMs(), PLAIN);
            assertThat(j.status()).as("console exit code %s", code).isEqualTo(JobStatus.FAIL);
            assertThat(j.message()).contains("guest agent produced no result");
        }
    }

    /** The dump the monitor's first violation triggered leads the failure's evidence, head first; a pass shows none. */
    @Test
    void aMonitorFailureCarriesTheSchedExtDumpTakenAtTheViolation() throws Exception {
        JobResult r = recorded("pass-eevdf-steady");
        String dump = "SysRq-D at the host monitor's first violation: imbalance 8.0 on cpu0\nDebug dump triggered by SysRq-D\n\nCPU states";
        MonitorOutcome failed = new MonitorOutcome(java.util.Map.of(), List.of(), true, 4000L, true, false, null,
                List.of("imbalance 8.0 on cpu0 for 30 samples"), null, dump);
        Verdict.Judgement j = Verdict.judge(withMonitor(r.outcome(), failed), r.phaseTimingsMs(), PLAIN);
        assertThat(j.status()).isEqualTo(JobStatus.FAIL);
        assertThat(j.details()).contains("--- sched_ext dump (SysRq-D, taken when the host monitor saw the violation) ---\n" + dump);
        MonitorOutcome passedWithDump = new MonitorOutcome(java.util.Map.of(), List.of(), true, 4000L, false, null, null,
                List.of(), "monitor checks not run", dump);
        assertThat(Verdict.judge(withMonitor(r.outcome(), passedWithDump), r.phaseTimingsMs(), PLAIN).details()).doesNotContain("sched_ext dump");
        String many = String.join("\n", java.util.Collections.nCopies(Verdict.SCHED_DUMP_LINES + 5, "x"));
        assertThat(Verdict.firstLines(many, Verdict.SCHED_DUMP_LINES)).endsWith("(... 5 more lines in the sidecar's SCHED_DUMP detail)");
    }
}
