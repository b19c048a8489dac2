package dev.ktstr.coordinator.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ktstr.coordinator.progress.Untrusted;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.guest.SchedExtExit;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.job.SchedErrorMatch;
import dev.ktstr.protocol.job.VerdictTerms;
import dev.ktstr.protocol.outcome.HostStarvation;
import dev.ktstr.protocol.outcome.MonitorOutcome;
import dev.ktstr.protocol.outcome.VmEnd;
import dev.ktstr.protocol.outcome.VmLogs;
import dev.ktstr.protocol.outcome.VmOutcome;
import dev.ktstr.protocol.outcome.VmRun;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The verdict of one VM job: one pure function of what the VM run produced ({@link VmOutcome}, its
 * phase timings) and how the test asked to be judged ({@link VerdictTerms}, from its resolved
 * config). The coordinator applies it to every result a worker reports as
 * {@link JobStatus#COMPLETED}, before the result is journaled.
 *
 * <p>Order of precedence: the VM timed out; the VM failed for infrastructure reasons (retried by
 * the coordinator, never a test failure); the guest sent no result (scheduler death, agent crash,
 * kernel panic: with expectErr a failure passes, except a kernel crash); the guest's result, then
 * the cleanup budget, then the host monitor's checks, with expectErr inverting pass and fail.
 *
 * <p>A scheduler's exit is told in sched_ext's own words ({@link SchedExtExit}: the scx_bpf_error
 * text, the stalled task) at the head of the message; a scheduler that unregistered cleanly is
 * said to have left, not to have crashed. An expected error counts only when the scheduler had
 * attached first and, when the test names one, its exit message matches ({@link SchedErrorMatch}):
 * a scheduler that never loaded, a guest that sent nothing, or a VM the host stopped fails an
 * expectErr test with that reason.
 */
public final class Verdict {
    /** Lines of guest log and console quoted in a failure's details. */
    static final int EVIDENCE_LINES = 60;
    static final int SCHED_LOG_LINES = 40;

    /** Headline prefix of the infrastructure verdict for a damaged data channel that lost the RESULT or EXIT frame. */
    public static final String CHANNEL_CORRUPTED = "channel corrupted: ";

    private Verdict() {}

    /** The VM as a reader can find it: the worker host and the boot's accelerator. */
    private static String vmName(VmOutcome out) {
        String host = out.host() == null ? null : out.host().hostname();
        return "the VM" + (host == null ? "" : " on " + host) + " (" + out.vm().accelerator() + ")";
    }

    /** Status, headline and details of a judged job. */
    public record Judgement(JobStatus status, String message, String details) {}

    /** {@code r} judged when it is a COMPLETED VM result; any other result is returned as it is. */
    public static JobResult apply(JobResult r, VerdictTerms terms) {
        if (r.status() != JobStatus.COMPLETED) return r;
        Judgement j = r.outcome() == null || r.outcome().vm() == null
                ? new Judgement(JobStatus.INFRA_ERROR, "worker reported a completed VM without its outcome", "")
                : judge(r.outcome(), r.phaseTimingsMs(), terms);
        if (j.message().startsWith(CHANNEL_CORRUPTED)) {
            j = new Judgement(j.status(), j.message() + " [job " + r.jobId() + ", " + r.variantName() + "]", j.details());
        }
        return new JobResult(r.jobId(), r.variantName(), j.status(), j.message(), j.details(), r.workerNode(),
                r.accelerator(), r.phaseTimingsMs(), r.attempt(), r.outcome());
    }

    public static Judgement judge(VmOutcome out, Map<String, Long> timings, VerdictTerms terms) {
        VmRun vm = out.vm();
        VmEnd end = vm.end();
        JsonNode result = out.guestResult();
        JobStatus status;
        String message;
        StringBuilder details = new StringBuilder();
        if (end.kind() == VmEnd.Kind.TIMEOUT && !end.infrastructureFailure()) {
            status = JobStatus.TIMEOUT;
            message = "VM " + end.description();
        } else if (end.infrastructureFailure() || end.kind() == VmEnd.Kind.QEMU_ERROR) {
            // a boot that never reached /init (the boot deadline) is the platform's, like an early-boot oops:
            // retried, never a test's TIMEOUT
            status = JobStatus.INFRA_ERROR;
            message = end.description();
        } else if (result == null && lostInTransit(out)) {
            // The agent reached its verdict (its exit code on the console says so) and wrote the RESULT,
            // which never arrived: the channel's fault, not the scheduler's, whatever the verdict was.
            status = JobStatus.INFRA_ERROR;
            message = CHANNEL_CORRUPTED + "the guest agent of " + vmName(out) + " exited " + end.consoleExitCode()
                    + " (it had a verdict) but its RESULT frame never arrived over the data channel";
        } else if (result == null) {
            boolean panic = end.kind() == VmEnd.Kind.KERNEL_PANIC;
            SchedExit se = out.schedExit();
            String account = schedulerAccount(se);
            message = se != null && killedBySignal(se) && (se.schedExt() == null || !se.schedExt().failure()) ? account
                    : se != null ? (account != null ? account : "scheduler died: " + se.reason()) + " " + nz(se.detail())
                    : out.crash() != null ? "guest agent crashed"
                    : panic ? "guest kernel panicked: " + end.description()
                    : "guest agent produced no result (" + end.description() + ")";
            schedExtDetails(se, details);
            if (se != null) {
                details.append("--- scheduler log tail ---\n").append(lastLines(nz(se.logTail()), SCHED_LOG_LINES)).append('\n');
            }
            if (out.crash() != null) details.append("--- agent crash ---\n").append(out.crash()).append('\n');
            if (terms.expectErr()) {
                // Only the scheduler's own failure is the failure a test expects: a kernel crash, an agent
                // crash or a guest that went silent fails an expectErr test too.
                Judgement j = se != null && !panic ? expected(se, terms, message)
                        : new Judgement(JobStatus.FAIL, "expected the scheduler to fail, but " + message, "");
                status = j.status();
                message = j.message();
            } else {
                status = JobStatus.FAIL;
            }
        } else {
            boolean guestPassed = result.path("passed").asBoolean(false);
            boolean skipped = result.path("skipped").asBoolean(false);
            boolean passed = guestPassed;
            Long budget = terms.cleanupBudgetMs();
            Long teardown = timings.get("teardown");
            if (passed && budget != null && teardown != null && teardown > budget) {
                passed = false;
                details.append("teardown took ").append(teardown).append(" ms, over cleanupBudgetMs=").append(budget).append('\n');
            }
            MonitorOutcome mon = skipped ? null : out.monitor();
            boolean monitorFailed = mon != null && mon.failed();
            if (monitorFailed) passed = false;
            SchedExit se = out.schedExit();
            String account = schedulerAccount(se);
            String failure = monitorFailed ? line("MONITOR: " + first(mon.violations()))
                    : account != null && !guestPassed ? account + "; " + firstDetail(result) : firstDetail(result);
            if (skipped) {
                status = JobStatus.SKIP;
                message = "skipped: " + firstDetail(result);
            } else if (terms.expectErr()) {
                if (passed) {
                    status = JobStatus.FAIL;
                    message = "expected test to fail but it passed";
                } else {
                    Judgement j = expected(se, terms, failure);
                    status = j.status();
                    message = j.message();
                }
            } else {
                status = passed ? JobStatus.PASS : JobStatus.FAIL;
                message = passed ? "passed" : failure;
            }
            if (monitorFailed) {
                for (String v : mon.violations()) details.append("  MONITOR: ").append(line(v)).append('\n');
            }
            if (!passed && !guestPassed) details.append(failureDetails(result));
            if (!guestPassed) schedExtDetails(se, details);
        }
        String starved = hostStarved(vm, terms);
        if (starved != null && restsOnTiming(out, status, terms)) {
            details.insert(0, "INCONCLUSIVE: " + starved + "\n");
            message = "inconclusive: " + starved + "; the verdict would have been " + status + ": " + message;
            status = JobStatus.INCONCLUSIVE;
        }
        if (out.channelDamaged() && end.kind() != VmEnd.Kind.TIMEOUT && status != JobStatus.INFRA_ERROR) {
            // Every frame the reader returned passed its checksum, but frames between them may be
            // lost. With the RESULT and EXIT both intact the verdict stands, noted; without either
            // the guest's account is incomplete, which says nothing about the scheduler.
            if (result == null || out.guestExit() == null) {
                message = CHANNEL_CORRUPTED + "the guest data channel of " + vmName(out) + " was damaged and its "
                        + (result == null ? "RESULT" : "EXIT") + " frame was lost (the verdict would have been " + status + ": " + message + ")";
                status = JobStatus.INFRA_ERROR;
            } else {
                message = message + " (NOTE: guest data channel damaged, RESULT and EXIT intact)";
            }
            details.insert(0, "NOTE: the guest data channel was damaged; frames may be missing\n");
            evidence(out, details);
        } else if (status != JobStatus.PASS && status != JobStatus.SKIP) {
            evidence(out, details);
        }
        String dump = out.monitor() == null ? null : out.monitor().schedDump();
        if (dump != null && status != JobStatus.PASS && status != JobStatus.SKIP) {
            details.append("--- sched_ext dump (SysRq-D, taken when the host monitor saw the violation) ---\n")
                    .append(firstLines(dump, SCHED_DUMP_LINES)).append('\n');
        }
        return new Judgement(status, line(message), details.toString());
    }

    /**
     * A clean power-off whose console exit code is the agent's "pass" or "test failed" (so it wrote its
     * RESULT first), with no scheduler death or agent crash to explain a missing result.
     */
    static boolean lostInTransit(VmOutcome out) {
        VmEnd end = out.vm().end();
        Integer code = end.consoleExitCode();
        return end.kind() == VmEnd.Kind.GUEST_POWEROFF && code != null
                && (code == dev.ktstr.protocol.guest.ExitInfo.PASS || code == dev.ktstr.protocol.guest.ExitInfo.TEST_FAILED)
                && out.schedExit() == null && out.crash() == null;
    }

    /** Lines of the sched_ext dump a failure report shows (the sidecar keeps it whole). */
    static final int SCHED_DUMP_LINES = 200;

    /** Check kinds whose verdict a host that did not run the vCPUs can fake: gaps, starvation, fairness, rates, the monitor's stalls. */
    static final java.util.Set<String> TIMING_KINDS = java.util.Set.of("STARVED", "STUCK", "UNFAIR", "BENCHMARK", "MONITOR");

    /** Why the host starved the guest beyond the test's gap limit, or null when it did not (or was not measured). */
    static String hostStarved(VmRun vm, VerdictTerms terms) {
        HostStarvation hs = vm.hostStarvation();
        if (hs == null || terms.gapThresholdMs() == null || hs.longestWaitMs() <= terms.gapThresholdMs()) return null;
        return "the host starved the guest: vCPU " + hs.longestWaitVcpu() + "'s thread waited " + hs.longestWaitMs()
                + " ms runnable on the host, over the " + terms.gapThresholdMs() + " ms gap limit (run_delay from /proc schedstat, "
                + hs.samples() + " samples every " + hs.sampleIntervalMs() + " ms)";
    }

    /**
     * The verdict was decided by timing checks alone: a failing (or, for expectErr, an expectedly
     * failing) guest result whose every failing check is of a {@link #TIMING_KINDS} kind, or a failed
     * host monitor, with the scheduler still in charge. A scheduler's own error stays a FAIL whatever the host did.
     */
    static boolean restsOnTiming(VmOutcome out, JobStatus status, VerdictTerms terms) {
        JsonNode result = out.guestResult();
        if (result == null) return false;
        boolean signal = terms.expectErr() ? status == JobStatus.PASS : status == JobStatus.FAIL;
        if (!signal) return false;
        SchedExit se = out.schedExit();
        if (se != null && se.reason() != SchedExit.Reason.STOPPED) return false;
        if (out.monitor() != null && out.monitor().failed() && result.path("passed").asBoolean(false)) return true;
        boolean any = false;
        for (JsonNode d : result.path("details")) {
            String kind = d.path("kind").asText("");
            if (kind.equals("SKIP")) continue;
            if (!TIMING_KINDS.contains(kind)) return false;
            any = true;
        }
        return any || out.monitor() != null && out.monitor().failed();
    }

    /**
     * An expected failure judged: it counts only when the scheduler, if the test has one, was in
     * charge before it failed, and its exit message matches the test's matcher when it names one.
     * {@code se} is null for a test without a user-space scheduler (EEVDF, a kernel built-in).
     */
    static Judgement expected(SchedExit se, VerdictTerms terms, String failure) {
        if (se != null && !se.attached() && se.reason() != SchedExit.Reason.STOPPED) {
            return new Judgement(JobStatus.FAIL, "expected the scheduler to fail, but it never attached: " + se.reason() + " "
                    + nz(se.detail()), "");
        }
        SchedErrorMatch want = terms.schedError();
        if (want != null) {
            String said = se == null || se.reason() == SchedExit.Reason.STOPPED || se.schedExt() == null ? null : se.schedExt().headline();
            if (said == null) {
                return new Judgement(JobStatus.FAIL, "expected a scheduler error " + want.describe()
                        + ", but the scheduler gave no sched_ext exit message; the test failed with: " + failure, "");
            }
            if (!want.matches(said)) {
                return new Judgement(JobStatus.FAIL, "expected a scheduler error " + want.describe() + ", but it exited with '" + said
                        + "'", "");
            }
        }
        return new Judgement(JobStatus.PASS, "failed as expected: " + failure, "");
    }

    /**
     * {@code scheduler error: scx_bpf_error: test triggering error} for an error exit, {@code scheduler
     * unregistered (unregistered from BPF) before the test ended} for a clean one; null when the
     * scheduler did not stop during the test or gave no account (then the guest's words stand).
     */
    public static String schedulerAccount(SchedExit se) {
        if (se == null || se.reason() == SchedExit.Reason.STOPPED) return null;
        // A process killed by a signal leaves sched_ext "unregistered from user space" (its struct_ops
        // link closed): that is the death's echo, not a clean exit. The guest's detail names the
        // signal and, when the harness's work-conservation watchdog sent it, the watchdog.
        if (killedBySignal(se) && (se.schedExt() == null || !se.schedExt().failure())) return "scheduler died: " + nz(se.detail());
        if (se.schedExt() == null) return null;
        SchedExtExit x = se.schedExt();
        if (x.failure()) return "scheduler error: " + (x.headline().isEmpty() ? "(no reason given)" : x.headline());
        return "scheduler unregistered (" + x.headline() + ") before the test ended, not a crash";
    }

    /**
     * The scheduler process ended by a signal (Java reports 128 + signal as its exit value). The
     * guest may notice the kernel's side first (sched_ext disabled: EJECTED) and the process's exit
     * status a moment later; with a signal status both are the same death.
     */
    static boolean killedBySignal(SchedExit se) {
        return (se.reason() == SchedExit.Reason.EXITED || se.reason() == SchedExit.Reason.EJECTED)
                && se.exitCode() > 128 && se.exitCode() < 128 + 65;
    }

    private static void schedExtDetails(SchedExit se, StringBuilder details) {
        if (se == null || se.schedExt() == null || se.reason() == SchedExit.Reason.STOPPED) return;
        SchedExtExit x = se.schedExt();
        details.append("--- sched_ext exit ---\n").append("  kind ").append(x.kind()).append(", reason '").append(line(x.reason())).append('\'');
        if (x.message() != null) details.append(", message '").append(line(x.message())).append('\'');
        details.append(" (from the ").append(x.source()).append(")\n");
        for (String b : x.backtrace()) details.append("    ").append(line(b)).append('\n');
    }

    /** What a reader of a failure needs next: channel problems, earlier boots, the guest's and the console's last lines. */
    private static void evidence(VmOutcome out, StringBuilder details) {
        if (!out.channelProblems().isEmpty()) {
            details.append("--- guest data channel problems ---\n");
            out.channelProblems().forEach(p -> details.append("  ").append(line(p)).append('\n'));
        }
        for (VmRun.VmRetry earlier : out.vm().retries()) {
            details.append("VM retried once after: ").append(line(earlier.end().description())).append('\n');
        }
        VmLogs logs = out.logs();
        String guest = logs == null ? "" : lastLines(logs.guest(), EVIDENCE_LINES);
        String console = logs == null ? "" : lastLines(logs.console(), EVIDENCE_LINES);
        if (!guest.isEmpty()) details.append("--- guest log (last lines) ---\n").append(guest).append('\n');
        details.append("--- console (last lines) ---\n").append(console).append('\n');
    }

    private static String firstDetail(JsonNode result) {
        for (JsonNode d : result.path("details")) {
            String m = d.path("message").asText("");
            if (!m.isEmpty()) return line(d.path("kind").asText("") + ": " + m);
        }
        return "no detail";
    }

    private static String failureDetails(JsonNode result) {
        StringBuilder b = new StringBuilder();
        for (JsonNode d : result.path("details")) {
            b.append("  ").append(line(d.path("kind").asText(""))).append(": ").append(line(d.path("message").asText(""))).append('\n');
        }
        return b.toString();
    }

    /** The first {@code n} lines, and how many more there are (the dump's head is its CPU states). */
    static String firstLines(String text, int n) {
        List<String> all = text.lines().toList();
        if (all.size() <= n) return text;
        return String.join("\n", all.subList(0, n)) + "\n(... " + (all.size() - n) + " more lines in the sidecar's SCHED_DUMP detail)";
    }

    static String lastLines(String text, int n) {
        if (text == null || text.isEmpty()) return "";
        List<String> lines = Arrays.asList(text.split("\n", -1));
        int from = Math.max(0, lines.size() - n);
        return Untrusted.text(String.join("\n", lines.subList(from, lines.size())), 64 * 1024);
    }

    private static String first(List<String> l) {
        return l.isEmpty() ? "" : l.get(0);
    }

    private static String line(String s) {
        return Untrusted.line(s, 4_000);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
