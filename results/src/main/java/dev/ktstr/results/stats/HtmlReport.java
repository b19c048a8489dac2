package dev.ktstr.results.stats;

import static dev.ktstr.results.stats.Svg.esc;
import static dev.ktstr.results.stats.Svg.fmt;

import dev.ktstr.results.LoadProblem;
import dev.ktstr.results.stats.CompareReport.MetricDelta;
import dev.ktstr.results.stats.CompareReport.Pair;
import dev.ktstr.results.stats.CompareReport.Verdict;
import dev.ktstr.protocol.metrics.MetricDef;
import dev.ktstr.protocol.metrics.MetricRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The compare report as one self-contained HTML file: inline CSS and SVG, no scripts, no external
 * resources, so it can be attached to a CI run or mailed and still open offline.
 */
public final class HtmlReport {
    /** Latency plots beyond this many pairs are left out (listed by name) to keep the file readable. */
    static final int MAX_LATENCY_PLOTS = 24;
    private static final String GREEN = "#2ca02c";
    private static final String RED = "#d62728";
    private static final String GREY = "#9e9e9e";

    private HtmlReport() {}

    public static String render(CompareReport r) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>ktstr stats compare</title><style>")
                .append("body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:24px;color:#222;max-width:1150px}"
                        + "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}"
                        + "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}"
                        + "td.num{text-align:right;font-variant-numeric:tabular-nums}.reg{color:" + RED + ";font-weight:600}"
                        + ".imp{color:" + GREEN + "}.noise{color:#777}.banner{padding:10px 14px;border-radius:6px;font-weight:600;margin:12px 0}"
                        + ".banner.bad{background:#fde2e1;color:#8a1c1a}.banner.good{background:#e3f5e1;color:#1d5e1a}"
                        + "svg.ktstr-chart{display:block;margin:10px 0;background:#fff}"
                        + "svg text{font-family:system-ui,'DejaVu Sans',sans-serif}svg .title{font-size:14px;font-weight:600}"
                        + "svg .tick,svg .legend,svg .value{font-size:11px;fill:#444}svg .label{font-size:12px;fill:#222}"
                        + "svg .axis{font-size:12px;fill:#333}svg .grid{stroke:#e6e6e6}svg .plotarea{fill:none;stroke:#999}"
                        + "svg .axisline{stroke:#555}.muted{color:#777}code{background:#f5f5f5;padding:1px 4px}")
                .append("</style></head><body>\n");
        sb.append("<h1>ktstr stats compare</h1>");
        sb.append("<p>A: <code>").append(esc(r.sideA().describe())).append("</code> &nbsp; B: <code>")
                .append(esc(r.sideB().describe())).append("</code><br>slicing on: <code>")
                .append(esc(String.join(", ", r.slicing().stream().map(Dimension::key).toList())))
                .append("</code>");
        if (r.averaged()) {
            sb.append("<br>averaged across ").append(r.runsA()).append(" run(s) (A) and ").append(r.runsB()).append(" run(s) (B)");
        }
        sb.append("<br><span class=\"muted\">generated ").append(Instant.now()).append("</span></p>");
        sb.append(r.hasRegression()
                ? "<div class=\"banner bad\" id=\"verdict\">" + r.regressions() + " regression(s) in " + r.pairs().size() + " compared pair(s)</div>"
                : "<div class=\"banner good\" id=\"verdict\">no regression in " + r.pairs().size() + " compared pair(s)</div>");
        for (String w : r.warnings()) {
            sb.append("<p class=\"muted\">warning: ").append(esc(w)).append("</p>");
        }
        significantTable(sb, r);

        sb.append("<h2>Per-metric change, B vs A</h2>");
        sb.append(deltaChart(r));
        replicaPlots(sb, r);
        sb.append("<h2>Wake-latency percentiles per cgroup</h2>");
        latencyPlots(sb, r);
        sb.append("<h2>Pass/fail: test × topology</h2>");
        sb.append(matrix(r));
        lists(sb, r);
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static void significantTable(StringBuilder sb, CompareReport r) {
        List<String[]> rows = new ArrayList<>();
        for (Pair p : r.pairs()) {
            for (MetricDelta d : p.deltas()) {
                if (d.verdict() != Verdict.UNCHANGED) {
                    rows.add(new String[] {d.verdict() == Verdict.REGRESSION ? "reg" : d.verdict() == Verdict.IMPROVEMENT ? "imp" : "noise",
                            p.key(), d.metric(), fmt(d.a()), fmt(d.b()), (d.delta() >= 0 ? "+" : "") + fmt(d.delta()), relText(d.rel()),
                            CompareText.verdictWord(d.verdict()) + (d.noise() == null ? "" : String.format(java.util.Locale.ROOT, " (p=%.3f)", d.noise().pValue()))});
                }
            }
        }
        if (rows.isEmpty()) {
            sb.append("<p>No significant change (every metric within its absolute or relative gate).</p>");
            return;
        }
        sb.append("<table id=\"changes\"><tr><th>pair</th><th>metric</th><th>A</th><th>B</th><th>delta</th><th>rel</th><th></th></tr>");
        for (String[] row : rows) {
            sb.append("<tr class=\"").append(row[0]).append("\"><td>").append(esc(row[1])).append("</td><td>")
                    .append(esc(row[2])).append("</td><td class=\"num\">").append(row[3]).append("</td><td class=\"num\">")
                    .append(row[4]).append("</td><td class=\"num\">").append(row[5]).append("</td><td class=\"num\">")
                    .append(row[6]).append("</td><td class=\"").append(row[0]).append("\">").append(row[7]).append("</td></tr>");
        }
        sb.append("</table>");
    }

    /** The replicas behind every change that passed the gates (significant or within noise), when both sides had enough. */
    private static void replicaPlots(StringBuilder sb, CompareReport r) {
        List<String> plots = new ArrayList<>();
        for (Pair p : r.pairs()) {
            for (MetricDelta d : p.deltas()) {
                if (d.noise() == null || d.verdict() == Verdict.UNCHANGED) continue;
                plots.add(Svg.strip(p.key() + ": " + d.metric() + " (" + d.unit() + "), " + CompareText.verdictWord(d.verdict()),
                        p.a().samples(d.metric()), p.b().samples(d.metric()), d.noise(), 900));
            }
        }
        if (plots.isEmpty()) return;
        sb.append("<h2>Replicas behind the changes</h2><p class=\"muted\">one dot per replica, the bar its side's mean with"
                + " a 95% confidence interval; a change counts only when the Mann-Whitney U p-value is below alpha</p>");
        plots.forEach(sb::append);
    }

    static String relText(double rel) {
        return Double.isInfinite(rel) ? "from 0" : fmt(rel * 100) + "%";
    }

    /** Mean signed relative change per metric over pairs where A is non-zero; red if any pair regressed. */
    private static String deltaChart(CompareReport r) {
        List<Svg.Bar> bars = new ArrayList<>();
        for (MetricDef m : MetricRegistry.all()) {
            double sum = 0;
            int n = 0;
            int reg = 0;
            int imp = 0;
            for (Pair p : r.pairs()) {
                for (MetricDelta d : p.deltas()) {
                    if (!d.metric().equals(m.name())) {
                        continue;
                    }
                    if (d.verdict() == Verdict.REGRESSION) {
                        reg++;
                    } else if (d.verdict() == Verdict.IMPROVEMENT) {
                        imp++;
                    }
                    if (Math.abs(d.a()) > 1e-9) {
                        sum += d.delta() / Math.abs(d.a()) * 100;
                        n++;
                    }
                }
            }
            if (n == 0 && reg == 0 && imp == 0) {
                continue;
            }
            String color = reg > 0 ? RED : imp > 0 ? GREEN : GREY;
            bars.add(new Svg.Bar(m.name() + " (" + m.polarity().label() + ")", n == 0 ? 0 : sum / n, color,
                    m.name() + ": mean change over " + n + " pair(s); " + reg + " regression(s), " + imp + " improvement(s)"));
        }
        if (bars.isEmpty()) {
            return "<p class=\"muted\">No metric had values on both sides.</p>";
        }
        return Svg.barChart("mean relative change of B vs A (red: a pair regressed, green: improved, grey: within gates)",
                bars, 300, "%", 1100);
    }

    private static void latencyPlots(StringBuilder sb, CompareReport r) {
        List<Object[]> ticks = List.of(new Object[] {0.0, "0%"}, new Object[] {1.0, "90%"}, new Object[] {2.0, "99%"},
                new Object[] {3.0, "99.9%"}, new Object[] {4.0, "99.99%"}, new Object[] {5.0, "max"});
        int drawn = 0;
        List<String> left = new ArrayList<>();
        for (Pair p : r.pairs()) {
            List<LatencyCurve> ca = p.a().curves();
            List<LatencyCurve> cb = p.b().curves();
            if (ca.isEmpty() && cb.isEmpty()) {
                continue;
            }
            if (drawn >= MAX_LATENCY_PLOTS) {
                left.add(p.key());
                continue;
            }
            Map<String, String> colors = new LinkedHashMap<>();
            TreeSet<String> names = new TreeSet<>();
            ca.forEach(c -> names.add(c.cgroup()));
            cb.forEach(c -> names.add(c.cgroup()));
            for (String n : names) {
                colors.put(n, Svg.PALETTE[colors.size() % Svg.PALETTE.length]);
            }
            List<Svg.Series> series = new ArrayList<>();
            for (LatencyCurve c : ca) {
                series.add(new Svg.Series("A " + c.cgroup() + " (" + c.samples() + ")", colors.get(c.cgroup()), false, xform(c)));
            }
            for (LatencyCurve c : cb) {
                series.add(new Svg.Series("B " + c.cgroup() + " (" + c.samples() + ")", colors.get(c.cgroup()), true, xform(c)));
            }
            sb.append(Svg.lineChart(p.key(), series, ticks, "wake latency (µs)", 1100, 300));
            drawn++;
        }
        if (drawn == 0) {
            sb.append("<p class=\"muted\">No compared pair carries wake-latency histograms on both sides.</p>");
        }
        if (!left.isEmpty()) {
            sb.append("<p class=\"muted\">").append(left.size()).append(" more pair(s) not plotted: ")
                    .append(esc(String.join("; ", left))).append("</p>");
        }
    }

    /** x = log10(1/(1-p)): 90 % at 1, 99 % at 2, ...; the maximum is drawn at 5. */
    private static List<double[]> xform(LatencyCurve c) {
        List<double[]> out = new ArrayList<>();
        for (double[] pt : c.points()) {
            double p = pt[0] / 100.0;
            double x = p >= 1.0 ? 5.0 : Math.min(5.0, Math.log10(1.0 / (1.0 - p)));
            out.add(new double[] {x, pt[1]});
        }
        return out;
    }

    private static String matrix(CompareReport r) {
        TreeSet<String> tests = new TreeSet<>();
        TreeSet<String> topos = new TreeSet<>();
        for (List<VariantGroup> side : List.of(r.groupsA(), r.groupsB())) {
            for (VariantGroup g : side) {
                tests.add(g.first().testName());
                topos.add(String.valueOf(g.first().topology()));
            }
        }
        List<String> rows = List.copyOf(tests);
        List<String> cols = List.copyOf(topos);
        Svg.Cell[][] cells = new Svg.Cell[rows.size()][cols.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < cols.size(); j++) {
                String ta = status(r.groupsA(), rows.get(i), cols.get(j));
                String tb = status(r.groupsB(), rows.get(i), cols.get(j));
                if (ta != null || tb != null) {
                    cells[i][j] = new Svg.Cell(color(ta), color(tb), rows.get(i) + " @ " + cols.get(j) + ": A "
                            + (ta == null ? "not run" : ta) + ", B " + (tb == null ? "not run" : tb));
                }
            }
        }
        return Svg.matrix("outcome per test and topology (all flag/scheduler variants folded: any failure = failed)",
                rows, cols, cells, 1100);
    }

    private static String status(List<VariantGroup> groups, String test, String topo) {
        String s = null;
        for (VariantGroup g : groups) {
            if (!g.first().testName().equals(test) || !String.valueOf(g.first().topology()).equals(topo)) {
                continue;
            }
            String o = g.skipped() ? "skipped" : g.passed() ? "passed" : "failed";
            if (s == null || o.equals("failed") || (o.equals("passed") && s.equals("skipped"))) {
                s = o;
            }
        }
        return s;
    }

    private static String color(String status) {
        if (status == null) {
            return null;
        }
        return switch (status) {
            case "passed" -> GREEN;
            case "failed" -> RED;
            default -> GREY;
        };
    }

    private static void lists(StringBuilder sb, CompareReport r) {
        list(sb, "New in B (no matching A variant)", r.newInB());
        list(sb, "Removed in B (A variants without a B match)", r.removedInB());
        list(sb, "Excluded from the math (a side failed or was skipped)", r.excluded());
        if (!r.hostDeltas().isEmpty()) {
            sb.append("<h2>Host differences</h2><table><tr><th>field</th><th>A</th><th>B</th></tr>");
            r.hostDeltas().forEach(h -> sb.append("<tr><td>").append(esc(h.field())).append("</td><td>")
                    .append(esc(h.a())).append("</td><td>").append(esc(h.b())).append("</td></tr>"));
            sb.append("</table>");
        }
        List<String> problems = new ArrayList<>();
        for (LoadProblem p : r.problems()) {
            problems.add(p.message());
        }
        list(sb, "Unreadable sidecars (skipped)", problems);
    }

    private static void list(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append("<h2>").append(esc(title)).append(" (").append(items.size()).append(")</h2><ul>");
        items.forEach(i -> sb.append("<li>").append(esc(i)).append("</li>"));
        sb.append("</ul>");
    }
}
