package dev.ktstr.scenario.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * A verdict (spec §4.6): pass/fail, skip, the findings and the statistics. Serialised as JSON from
 * the guest to the host ({@link dev.ktstr.scenario.report.ReportJson}).
 */
public record AssertResult(boolean passed, boolean skipped, List<AssertDetail> details, ScenarioStats stats) {

    public AssertResult {
        details = details == null ? List.of() : List.copyOf(details);
        if (stats == null) stats = ScenarioStats.EMPTY;
    }

    public static AssertResult pass() {
        return new AssertResult(true, false, List.of(), ScenarioStats.EMPTY);
    }

    public static AssertResult pass(ScenarioStats stats) {
        return new AssertResult(true, false, List.of(), stats);
    }

    /** Passed and skipped, with a {@link DetailKind#SKIP} detail giving the reason. */
    public static AssertResult skip(String reason) {
        return new AssertResult(true, true, List.of(new AssertDetail(DetailKind.SKIP, reason)), ScenarioStats.EMPTY);
    }

    public static AssertResult fail(AssertDetail detail) {
        return new AssertResult(false, false, List.of(detail), ScenarioStats.EMPTY);
    }

    public static AssertResult fail(DetailKind kind, String message) {
        return fail(new AssertDetail(kind, message));
    }

    /** A failing result with one message (the name users look for first; same as {@link #failMsg}). */
    public static AssertResult fail(String message) {
        return failMsg(message);
    }

    public static AssertResult failMsg(String message) {
        return fail(DetailKind.OTHER, message);
    }

    /** passed = AND, skipped = AND, details concatenated, stats merged ({@link ScenarioStats#merge}). */
    public AssertResult merge(AssertResult other) {
        List<AssertDetail> d = new ArrayList<>(details);
        d.addAll(other.details);
        return new AssertResult(passed && other.passed, skipped && other.skipped, d, stats.merge(other.stats));
    }

    public AssertResult withDetail(AssertDetail detail, boolean failing) {
        List<AssertDetail> d = new ArrayList<>(details);
        d.add(detail);
        return new AssertResult(passed && !failing, skipped, d, stats);
    }

    /** Details of the given kind. */
    public List<AssertDetail> details(DetailKind kind) {
        return details.stream().filter(x -> x.kind() == kind).toList();
    }
}
