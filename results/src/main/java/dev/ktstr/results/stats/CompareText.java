package dev.ktstr.results.stats;

import static dev.ktstr.results.stats.Svg.fmt;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ktstr.results.LoadProblem;
import dev.ktstr.results.stats.CompareReport.MetricDelta;
import dev.ktstr.results.stats.CompareReport.Pair;
import dev.ktstr.results.stats.CompareReport.Verdict;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.util.List;
import java.util.Locale;

/** Terminal table and JSON renderings of a {@link CompareReport}. */
public final class CompareText {
    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String RESET = "\u001b[0m";

    private CompareText() {}

    /**
     * @param color   ANSI colours (red regressions, green improvements)
     * @param showAll print unchanged metrics too
     */
    public static String table(CompareReport r, boolean color, boolean showAll) {
        StringBuilder sb = new StringBuilder();
        sb.append("A: ").append(r.sideA().describe()).append('\n');
        sb.append("B: ").append(r.sideB().describe()).append('\n');
        sb.append("slicing on: ").append(String.join(", ", r.slicing().stream().map(Dimension::key).toList())).append('\n');
        if (r.averaged()) {
            sb.append("averaged across ").append(r.runsA()).append(" runs (A) and ").append(r.runsB()).append(" runs (B)\n");
        }
        r.warnings().forEach(w -> sb.append("warning: ").append(w).append('\n'));
        for (Pair p : r.pairs()) {
            List<MetricDelta> shown = p.deltas().stream().filter(d -> showAll || d.verdict() != Verdict.UNCHANGED).toList();
            sb.append('\n').append(p.key());
            if (p.a().rows().size() > 1 || p.b().rows().size() > 1) {
                sb.append("  (A n=").append(p.a().contributors().size()).append(", B n=").append(p.b().contributors().size()).append(')');
            }
            sb.append('\n');
            if (shown.isEmpty()) {
                sb.append("  no significant change in ").append(p.deltas().size()).append(" metric(s)\n");
                continue;
            }
            boolean noise = shown.stream().anyMatch(d -> d.noise() != null);
            sb.append(String.format(Locale.ROOT, "  %-34s %12s %12s %12s %9s %s %s%n", "metric", "A", "B", "delta", "rel",
                    noise ? String.format(Locale.ROOT, "%7s %-21s", "p", "95% CI A | B") : "", "verdict"));
            for (MetricDelta d : shown) {
                String line = String.format(Locale.ROOT, "  %-34s %12s %12s %12s %9s %s %s", d.metric() + " (" + d.unit() + ")",
                        fmt(d.a()), fmt(d.b()), (d.delta() >= 0 ? "+" : "") + fmt(d.delta()), HtmlReport.relText(d.rel()),
                        !noise ? "" : d.noise() == null ? String.format(Locale.ROOT, "%7s %-21s", "-", "(no noise estimate)")
                                : String.format(Locale.ROOT, "%7.3f %-21s", d.noise().pValue(), "±" + fmt(d.noise().ciA()) + " | ±" + fmt(d.noise().ciB())),
                        verdictWord(d.verdict()));
                String c = d.verdict() == Verdict.REGRESSION ? RED : d.verdict() == Verdict.IMPROVEMENT ? GREEN : null;
                sb.append(color && c != null ? c + line + RESET : line).append('\n');
            }
            long hidden = p.deltas().size() - shown.size();
            long noisy = shown.stream().filter(d -> d.verdict() == Verdict.WITHIN_NOISE).count();
            if (noisy > 0) {
                sb.append("  (").append(noisy).append(" change(s) pass the gates but not the noise test: within noise)\n");
            }
            if (hidden > 0) {
                sb.append("  (").append(hidden).append(" metric(s) within gates; --all shows them)\n");
            }
        }
        section(sb, "new in B", r.newInB());
        section(sb, "removed in B", r.removedInB());
        section(sb, "excluded (failed or skipped)", r.excluded());
        if (!r.hostDeltas().isEmpty()) {
            sb.append("\nhost differences (").append(r.hostDeltas().size()).append("):\n");
            r.hostDeltas().forEach(h -> sb.append("  ").append(h.field()).append(": ").append(h.a()).append(" -> ").append(h.b()).append('\n'));
        }
        if (!r.problems().isEmpty()) {
            sb.append("\ncorrupt sidecars (").append(r.problems().size()).append("), skipped:\n");
            r.problems().forEach(p -> sb.append("  ").append(p.message()).append('\n'));
        }
        sb.append('\n').append(String.format(Locale.ROOT, "%d pair(s) compared: %d regression(s), %d improvement(s), "
                        + "%d within noise; %d new in B, %d removed, %d excluded%n", r.pairs().size(), r.regressions(), r.improvements(),
                r.withinNoise(), r.newInB().size(), r.removedInB().size(), r.excluded().size()));
        String verdict = r.hasRegression() ? "REGRESSION" : "no regression";
        sb.append(color ? (r.hasRegression() ? RED : GREEN) + verdict + RESET : verdict).append('\n');
        return sb.toString();
    }

    static String verdictWord(Verdict v) {
        return v == Verdict.WITHIN_NOISE ? "within noise" : v.name().toLowerCase(Locale.ROOT);
    }

    private static void section(StringBuilder sb, String title, List<String> items) {
        if (!items.isEmpty()) {
            sb.append('\n').append(title).append(" (").append(items.size()).append("):\n");
            items.forEach(i -> sb.append("  ").append(i).append('\n'));
        }
    }

    public static String json(CompareReport r) {
        ObjectNode root = SidecarCodec.mapper().createObjectNode();
        root.put("side_a", r.sideA().describe());
        root.put("side_b", r.sideB().describe());
        ArrayNode sl = root.putArray("slicing");
        r.slicing().forEach(d -> sl.add(d.key()));
        root.put("averaged", r.averaged());
        root.put("runs_a", r.runsA());
        root.put("runs_b", r.runsB());
        root.put("regression", r.hasRegression());
        root.put("regressions", r.regressions());
        root.put("improvements", r.improvements());
        root.put("within_noise", r.withinNoise());
        ArrayNode w = root.putArray("warnings");
        r.warnings().forEach(w::add);
        ArrayNode pairs = root.putArray("pairs");
        for (Pair p : r.pairs()) {
            ObjectNode pn = pairs.addObject();
            pn.put("key", p.key());
            pn.put("a_contributors", p.a().contributors().size());
            pn.put("b_contributors", p.b().contributors().size());
            pn.put("latency_from_histograms", p.a().latencyFromHistograms() && p.b().latencyFromHistograms());
            ArrayNode ms = pn.putArray("metrics");
            for (MetricDelta d : p.deltas()) {
                ObjectNode m = ms.addObject();
                m.put("metric", d.metric());
                m.put("unit", d.unit());
                m.put("a", d.a());
                m.put("b", d.b());
                m.put("delta", d.delta());
                if (Double.isInfinite(d.rel())) {
                    m.putNull("rel");
                } else {
                    m.put("rel", d.rel());
                }
                m.put("abs_gate", d.absGate());
                m.put("rel_gate", d.relGate());
                m.put("verdict", d.verdict().name().toLowerCase(Locale.ROOT));
                if (d.noise() == null) {
                    m.putNull("noise");
                } else {
                    Noise n = d.noise();
                    m.putObject("noise").put("n_a", n.nA()).put("mean_a", n.meanA()).put("ci95_a", n.ciA())
                            .put("n_b", n.nB()).put("mean_b", n.meanB()).put("ci95_b", n.ciB()).put("p_value", n.pValue())
                            .put("test", "mann-whitney-u two-sided");
                }
            }
        }
        root.set("new_in_b", strings(r.newInB()));
        root.set("removed_in_b", strings(r.removedInB()));
        root.set("excluded", strings(r.excluded()));
        ArrayNode hd = root.putArray("host_deltas");
        r.hostDeltas().forEach(h -> hd.addObject().put("field", h.field()).put("a", h.a()).put("b", h.b()));
        ArrayNode pr = root.putArray("problems");
        for (LoadProblem p : r.problems()) {
            pr.addObject().put("path", p.path().toString()).put("error", p.message()).put("io", p.ioError());
        }
        return root.toPrettyString() + "\n";
    }

    private static ArrayNode strings(List<String> l) {
        ArrayNode a = SidecarCodec.mapper().createArrayNode();
        l.forEach(a::add);
        return a;
    }
}
