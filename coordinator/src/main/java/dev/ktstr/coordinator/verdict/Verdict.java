package dev.ktstr.coordinator.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ktstr.coordinator.progress.Untrusted;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.job.VerdictTerms;
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
 */
public final class Verdict {
    /** Lines of guest log and console quoted in a failure's details. */
    static final int EVIDENCE_LINES = 60;
    static final int SCHED_LOG_LINES = 40;

    private Verdict() {}

    /** Status, headline and details of a judged job. */
    public record Judgement(JobStatus status, String message, String details) {}

    /** {@code r} judged when it is a COMPLETED VM result; any other result is returned as it is. */
    public static JobResult apply(JobResult r, VerdictTerms terms) {
        if (r.status() != JobStatus.COMPLETED) return r;
        Judgement j = r.outcome() == null || r.outcome().vm() == null
                ? new Judgement(JobStatus.INFRA_ERROR, "worker reported a completed VM without its outcome", "")
                : judge(r.outcome(), r.phaseTimingsMs(), terms);
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
        if (end.kind() == VmEnd.Kind.TIMEOUT) {
            status = JobStatus.TIMEOUT;
            message = "VM " + end.description();
        } else if (end.infrastructureFailure() || end.kind() == VmEnd.Kind.QEMU_ERROR) {
            status = JobStatus.INFRA_ERROR;
            message = end.description();
        } else if (result == null) {
            boolean panic = end.kind() == VmEnd.Kind.KERNEL_PANIC;
            message = out.schedExit() != null ? "scheduler died: " + out.schedExit().reason() + " " + nz(out.schedExit().detail())
                    : out.crash() != null ? "guest agent crashed"
                    : panic ? "guest kernel panicked: " + end.description()
                    : "guest agent produced no result (" + end.description() + ")";
            if (out.schedExit() != null) {
                details.append("--- scheduler log tail ---\n").append(lastLines(nz(out.schedExit().logTail()), SCHED_LOG_LINES)).append('\n');
            }
            if (out.crash() != null) details.append("--- agent crash ---\n").append(out.crash()).append('\n');
            // A guest kernel crash is never the failure a test expects: it fails expectErr tests too.
            status = terms.expectErr() && !panic ? JobStatus.PASS : JobStatus.FAIL;
            if (status == JobStatus.PASS) message = "failed as expected: " + message;
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
            String failure = monitorFailed ? line("MONITOR: " + first(mon.violations())) : firstDetail(result);
            if (skipped) {
                status = JobStatus.SKIP;
                message = "skipped: " + firstDetail(result);
            } else if (terms.expectErr()) {
                status = passed ? JobStatus.FAIL : JobStatus.PASS;
                message = passed ? "expected test to fail but it passed" : "failed as expected: " + failure;
            } else {
                status = passed ? JobStatus.PASS : JobStatus.FAIL;
                message = passed ? "passed" : failure;
            }
            if (monitorFailed) {
                for (String v : mon.violations()) details.append("  MONITOR: ").append(line(v)).append('\n');
            }
            if (!passed && !guestPassed) details.append(failureDetails(result));
        }
        if (status != JobStatus.PASS && status != JobStatus.SKIP) evidence(out, details);
        return new Judgement(status, line(message), details.toString());
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
