package dev.ktstr.coordinator.testrun;

import dev.ktstr.protocol.guest.WatchdogEvent;
import dev.ktstr.protocol.guest.Stimulus;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.outcome.VmLogs;
import dev.ktstr.protocol.outcome.VmRun;
import dev.ktstr.protocol.outcome.MonitorOutcome;
import dev.ktstr.protocol.outcome.VmOutcome;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.scenario.report.ReportJson;
import dev.ktstr.scenario.verify.AssertDetail;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import dev.ktstr.scenario.verify.FailureReport;
import dev.ktstr.scenario.verify.ScenarioStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The one-line-per-variant output of {@code ktstr test} and the failure report under it. */
public final class ResultLines {
    private ResultLines() {}

    /** {@code PASS  ktstr/name  1n1l2c1t  tcg  12.3s  message}. */
    public static String line(VariantOutcome o) {
        JobResult r = o.result();
        Long total = r.phaseTimingsMs().get("total");
        String secs = total == null ? "-" : String.format(Locale.ROOT, "%.1fs", total / 1000.0);
        String word = switch (r.status()) {
            case PASS -> "PASS";
            case FAIL -> "FAIL";
            case SKIP -> "SKIP";
            case TIMEOUT -> "TIMEOUT";
            case INFRA_ERROR -> "INFRA";
            case INCONCLUSIVE -> "INCONCL";
            case COMPLETED -> "UNJUDGED"; // never recorded: the coordinator judges every completed VM
        };
        return String.format(Locale.ROOT, "%-7s %-60s %-10s %-4s %7s  %s", word, o.variant().name(),
                o.variant().topology().render(), r.accelerator() == null ? "-" : r.accelerator(), secs, r.message());
    }

    /** Phase order of {@link #phases}: host, VM, guest agent, workload, teardown (keys of the job's timing map). */
    static final String[][] PHASES = {{"host_prepare", "prepare"}, {"qemu_start", "qemu"}, {"kernel_to_init", "kernel"},
            {"agent_jvm", "agent-jvm"}, {"boot", "=hello"}, {"scheduler_attach", "sched-attach"}, {"agent_ready", "to-scenario"},
            {"worker_spawn", "spawn"}, {"scenario", "scenario"}, {"collection", "collect"}, {"teardown", "teardown"},
            {"total", "total"}};

    /** {@code   phases: prepare 0.4s  qemu 0.3s  kernel 1.5s ...}: where the variant's wall time went; absent phases are left out. */
    public static String phases(VariantOutcome o) {
        StringBuilder b = new StringBuilder("        phases:");
        for (String[] p : PHASES) {
            Long v = o.result().phaseTimingsMs().get(p[0]);
            if (v != null) b.append(' ').append(p[1]).append(' ').append(String.format(Locale.ROOT, "%.2fs", v / 1000.0));
        }
        return b.toString();
    }

    /** Lines of a guest log quoted in a report; the run directory's .log file keeps them all. */
    static final int TAIL_LINES = 30;
    /** Lines of the sched_ext debug dump in a report: its head names the exit and the CPUs; the log file has the rest. */
    static final int DUMP_LINES = 80;

    /**
     * The failure report of spec §4.7, built from what the result carries: a BUG SUMMARY line (the first
     * scheduler error, else the first failing check), the header, every failing check on its own line,
     * stats, monitor summary, timeline, the tails of the scheduler log, guest log and console, and where
     * the whole log is. {@code fullLog} may be null (no log written).
     */
    public static String failureReport(VariantOutcome o, Path fullLog) {
        JobResult r = o.result();
        VmOutcome out = r.outcome();
        AssertResult checks = out == null ? null : guestResult(out.guestResult());
        List<String> lines = new ArrayList<>();
        if (checks != null) {
            for (AssertDetail d : checks.details()) lines.add(d.kind() + ": " + d.message());
        }
        MonitorOutcome mon = out == null ? null : out.monitor();
        if (mon != null) for (String v : mon.violations()) lines.add("MONITOR: " + v);
        if (out != null && out.crash() != null) lines.add("agent crash: " + firstLine(out.crash()));
        if (out != null) for (String c : out.channelProblems()) lines.add("guest data channel: " + c);
        if (out != null && out.vm() != null) {
            for (VmRun.VmRetry earlier : out.vm().retries()) lines.add("VM retried once after: " + earlier.end().description());
        }
        if (lines.isEmpty() || checks == null) lines.add(0, r.message());

        SchedExit se = out == null ? null : out.schedExit();
        // sched_ext's own words first (the scx_bpf_error text, the stalled task), then the supervisor's
        String account = dev.ktstr.coordinator.verdict.Verdict.schedulerAccount(se);
        String schedError = se == null || se.reason() == SchedExit.Reason.STOPPED ? null
                : (se.reason() + " " + (se.detail() == null ? "" : se.detail())).strip();
        boolean expectErr = o.entry() != null && o.entry().config().expectErr();
        String summary = expectErr ? r.message() : account != null ? account : schedError != null && !schedError.isEmpty() ? "scheduler error: " + schedError : lines.get(0);
        if (account != null && checks != null) lines.add(0, account);
        String dump = se == null || se.schedExt() == null || se.reason() == SchedExit.Reason.STOPPED ? null : se.schedExt().dump();
        List<AssertDetail> shown = lines.stream().map(l -> new AssertDetail(DetailKind.OTHER, l)).toList();
        AssertResult body = new AssertResult(false, false, shown, checks == null ? ScenarioStats.EMPTY : checks.stats());

        VmLogs logs = out == null ? null : out.logs();
        FailureReport report = FailureReport.of(o.variant().name(), o.variant().topology())
                .scheduler(o.entry() != null ? o.entry().config().scheduler().displayName() : o.variant().test().schedulerName())
                .fingerprint("BUG SUMMARY: " + r.status() + " " + summary)
                .result(body)
                .section(FailureReport.Section.MONITOR, monitor(mon, out == null ? null : out.monitorOff()))
                .section(FailureReport.Section.TIMELINE, timeline(out))
                .section(FailureReport.Section.SCHEDULER_LOG, tail(logs == null ? "" : LogCycles.collapse(dump == null ? logs.scheduler()
                        : withoutDebugDump(logs.scheduler())), TAIL_LINES))
                .section(FailureReport.Section.SCHED_EXT_DUMP, head(dump, DUMP_LINES))
                .section(FailureReport.Section.GUEST_LOG, tail(logs == null ? "" : logs.guest(), TAIL_LINES))
                .section(FailureReport.Section.CONSOLE, tail(logs == null ? "" : logs.console(), TAIL_LINES));
        String text = report.render();
        if (out == null && !r.details().isBlank()) text += r.details().stripTrailing() + "\n";
        return text + "full log: " + (fullLog == null ? "(none written)" : fullLog.toString());
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The guest's verdict with its stats, or null when the guest sent none (crash, timeout) or it does not parse. */
    private static AssertResult guestResult(JsonNode res) {
        if (res == null || !res.isObject()) return null;
        try {
            return ReportJson.mapper().treeToValue(res, AssertResult.class);
        } catch (Exception e) {
            return null; // untrusted input: the message line still says what failed
        }
    }

    private static String monitor(MonitorOutcome m, String off) {
        StringBuilder b = new StringBuilder();
        if (m != null && m.summary() != null) {
            JsonNode n = ReportJson.mapper().valueToTree(m.summary());
            n.fields().forEachRemaining(e -> b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue().asText()));
        }
        String note = m != null && m.note() != null ? m.note() : off;
        if (note != null && !note.isEmpty()) b.append(b.length() == 0 ? "" : "\n").append(note);
        return b.toString();
    }

    private static String timeline(VmOutcome out) {
        if (out == null) return "";
        StringBuilder b = new StringBuilder();
        for (Stimulus e : out.stimuli()) {
            b.append(e.guestUptimeMs()).append(" ms ").append(e.kind()).append(e.detail() == null || e.detail().isEmpty() ? "" : " " + e.detail())
                    .append(e.attrs() == null || e.attrs().isEmpty() ? "" : " " + e.attrs()).append('\n');
        }
        for (WatchdogEvent w : out.watchdogEvents()) {
            b.append(w.guestUptimeMs()).append(" ms watchdog: worker ").append(w.workerIndex()).append(" of '").append(w.cgroup())
                    .append("' gap ").append(w.gapMs()).append(" ms on CPU ").append(w.cpu()).append(", SIGUSR2 to ").append(w.schedulerPid()).append('\n');
        }
        return b.toString();
    }

    static String tail(String text, int n) {
        if (text == null || text.isBlank()) return "";
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - n);
        return (from > 0 ? "... " + from + " earlier lines in the full log\n" : "") + String.join("\n", Arrays.copyOfRange(all, from, all.length));
    }

    /** The scheduler log with its DEBUG DUMP block replaced by a pointer: the report shows the dump in its own section. */
    static String withoutDebugDump(String log) {
        if (log == null) return null;
        String sep = "================================================================================";
        int start = log.indexOf("DEBUG DUMP\n" + sep);
        if (start < 0) return log;
        int end = log.indexOf(sep, start + "DEBUG DUMP\n".length() + sep.length());
        String rest = end < 0 ? "" : log.substring(end + sep.length());
        return log.substring(0, start) + "DEBUG DUMP (shown under --- sched_ext dump ---)" + rest;
    }

    static String head(String text, int n) {
        if (text == null || text.isBlank()) return "";
        String[] all = text.split("\n", -1);
        if (all.length <= n) return text;
        return String.join("\n", Arrays.copyOfRange(all, 0, n)) + "\n... " + (all.length - n) + " more dump lines in the full log";
    }

    /** The report without a log path (callers that wrote no log). */
    public static String failureReport(VariantOutcome o) {
        return failureReport(o, null);
    }
}
