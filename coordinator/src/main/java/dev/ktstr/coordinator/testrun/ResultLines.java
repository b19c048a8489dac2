package dev.ktstr.coordinator.testrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
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

    /**
     * The failure report of spec §4.7, built from what the result carries: a BUG SUMMARY line (the first
     * scheduler error, else the first failing check), the header, every failing check on its own line,
     * stats, monitor summary, timeline, the tails of the scheduler log, guest log and console, and where
     * the whole log is. {@code fullLog} may be null (no log written).
     */
    public static String failureReport(VariantOutcome o, Path fullLog) {
        JobResult r = o.result();
        JsonNode p = r.payload() == null ? MissingNode.getInstance() : r.payload();
        AssertResult checks = guestResult(p);
        List<String> lines = new ArrayList<>();
        if (checks != null) {
            for (AssertDetail d : checks.details()) lines.add(d.kind() + ": " + d.message());
        }
        for (JsonNode v : p.path("monitor_violations")) lines.add("MONITOR: " + v.asText());
        if (lines.isEmpty()) lines.add(r.message());
        List<AssertDetail> shown = lines.stream().map(l -> new AssertDetail(DetailKind.OTHER, l)).toList();
        AssertResult body = new AssertResult(false, false, shown, checks == null ? ScenarioStats.EMPTY : checks.stats());

        String schedError = p.path("sched_exit").isMissingNode() ? null
                : (p.path("sched_exit").path("reason").asText("") + " " + p.path("sched_exit").path("detail").asText("")).strip();
        String summary = schedError != null && !schedError.isEmpty() ? "scheduler error: " + schedError : lines.get(0);
        FailureReport report = FailureReport.of(o.variant().name(), o.variant().topology())
                .scheduler(p.path("scheduler").asText(null))
                .fingerprint("BUG SUMMARY: " + r.status() + " " + summary)
                .result(body)
                .section(FailureReport.Section.MONITOR, monitor(p))
                .section(FailureReport.Section.TIMELINE, timeline(p))
                .section(FailureReport.Section.SCHEDULER_LOG, tail(p.path("logs").path("scheduler").asText(""), TAIL_LINES))
                .section(FailureReport.Section.GUEST_LOG, tail(p.path("logs").path("guest").asText(""), TAIL_LINES))
                .section(FailureReport.Section.CONSOLE, tail(p.path("logs").path("console").asText(""), TAIL_LINES));
        String text = report.render();
        if (p.isMissingNode() && !r.details().isBlank()) text += r.details().stripTrailing() + "\n";
        return text + "full log: " + (fullLog == null ? "(none written)" : fullLog.toString());
    }

    /** The guest's verdict with its stats, or null when the guest sent none (crash, timeout) or it does not parse. */
    private static AssertResult guestResult(JsonNode p) {
        JsonNode res = p.path("result");
        if (!res.isObject()) return null;
        try {
            return ReportJson.mapper().treeToValue(res, AssertResult.class);
        } catch (Exception e) {
            return null; // untrusted input: the message line still says what failed
        }
    }

    private static String monitor(JsonNode p) {
        StringBuilder b = new StringBuilder();
        JsonNode m = p.path("monitor");
        if (m.isObject()) {
            m.fields().forEachRemaining(e -> b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue().asText()));
        }
        String note = p.path("monitor_note").asText("");
        if (!note.isEmpty()) b.append(b.length() == 0 ? "" : "\n").append(note);
        return b.toString();
    }

    private static String timeline(JsonNode p) {
        StringBuilder b = new StringBuilder();
        for (JsonNode e : p.path("stimulus_events")) b.append(e.toString()).append('\n');
        for (JsonNode e : p.path("watchdog_events")) b.append("watchdog: ").append(e.toString()).append('\n');
        return b.toString();
    }

    static String tail(String text, int n) {
        if (text == null || text.isBlank()) return "";
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - n);
        return (from > 0 ? "... " + from + " earlier lines in the full log\n" : "") + String.join("\n", Arrays.copyOfRange(all, from, all.length));
    }

    /** The report without a log path (callers that wrote no log). */
    public static String failureReport(VariantOutcome o) {
        return failureReport(o, null);
    }
}
