package dev.ktstr.coordinator.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
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
 * (scx_qmap {@code -e 5000}: the scheduler is ejected by its own scx_bpf_error): the examples'
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
        return new VmOutcome(new VmRun(vm.accelerator(), vm.acceleratorReason(), vm.machine(), end, vm.elapsedMs(), vm.retries()),
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
        assertThat(j.message()).isEqualTo("guest kernel panicked: kernel crash: BUG: unable to handle page fault");
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
}
