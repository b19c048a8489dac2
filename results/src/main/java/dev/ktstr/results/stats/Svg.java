package dev.ktstr.results.stats;

import java.util.List;
import java.util.Locale;

/**
 * Hand-written inline SVG charts for the self-contained HTML report (no JS, no external files).
 * There is no SVG chart library on Maven Central small and dependency-free enough to be worth it.
 */
final class Svg {
    /** One polyline: points are (x, y) in data units. */
    record Series(String name, String color, boolean dashed, List<double[]> points) {}

    record Bar(String label, double value, String color, String tooltip) {}

    /** One matrix cell; null colours render as "not run". */
    record Cell(String colorA, String colorB, String tooltip) {}

    static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private Svg() {}

    /**
     * A line chart; x ticks are given (value, label) so callers can use non-linear axes.
     */
    static String lineChart(String title, List<Series> series, List<Object[]> xTicks, String yLabel, int w, int h) {
        int left = 70, right = 160, top = 30, bottom = 45;
        double xmin = Double.MAX_VALUE, xmax = -Double.MAX_VALUE, ymax = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xmin = Math.min(xmin, p[0]);
                xmax = Math.max(xmax, p[0]);
                ymax = Math.max(ymax, p[1]);
            }
        }
        if (xmin > xmax) {
            xmin = 0;
            xmax = 1;
        }
        if (xmax == xmin) {
            xmax = xmin + 1;
        }
        ymax = niceCeil(ymax <= 0 ? 1 : ymax);
        double pw = w - left - right;
        double ph = h - top - bottom;
        StringBuilder sb = open(w, h, "latency", title);
        sb.append(text(left, 18, title, "title", "start"));
        axes(sb, left, top, pw, ph);
        for (int i = 0; i <= 4; i++) {
            double v = ymax * i / 4;
            double y = top + ph - ph * i / 4;
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                    left, y, left + pw, y));
            sb.append(text(left - 6, y + 4, fmt(v), "tick", "end"));
        }
        for (Object[] t : xTicks) {
            double x = left + pw * (((Number) t[0]).doubleValue() - xmin) / (xmax - xmin);
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>",
                    x, top, x, top + ph));
            sb.append(text(x, top + ph + 16, t[1].toString(), "tick", "middle"));
        }
        sb.append(text(left + pw / 2, h - 6, "percentile", "axis", "middle"));
        sb.append(String.format(Locale.ROOT, "<text class=\"axis\" transform=\"translate(14,%.1f) rotate(-90)\" "
                + "text-anchor=\"middle\">%s</text>", top + ph / 2, esc(yLabel)));
        int ly = top + 6;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                double x = left + pw * (p[0] - xmin) / (xmax - xmin);
                double y = top + ph - ph * Math.min(p[1], ymax) / ymax;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append(String.format("<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"%s "
                    + "points=\"%s\"><title>%s</title></polyline>", s.color(),
                    s.dashed() ? " stroke-dasharray=\"7,4\"" : "", pts.toString().trim(), esc(s.name())));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2.5\"%s/>", left + pw + 10, ly, left + pw + 34, ly, s.color(),
                    s.dashed() ? " stroke-dasharray=\"7,4\"" : ""));
            sb.append(text(left + pw + 38, ly + 4, s.name(), "legend", "start"));
            ly += 16;
        }
        return sb.append("</svg>").toString();
    }

    /** Horizontal bars around a zero line; values are clipped to ±clip for drawing (labels show the truth). */
    static String barChart(String title, List<Bar> bars, double clip, String unit, int w) {
        int left = 250, right = 90, top = 30, rowH = 22;
        int h = top + rowH * Math.max(1, bars.size()) + 30;
        double max = 1e-9;
        for (Bar b : bars) {
            max = Math.max(max, Math.min(Math.abs(b.value()), clip));
        }
        max = niceCeil(max);
        double pw = w - left - right;
        double zero = left + pw / 2;
        StringBuilder sb = open(w, h, "delta", title);
        sb.append(text(10, 18, title, "title", "start"));
        sb.append(String.format(Locale.ROOT, "<line class=\"axisline\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
                zero, top - 4, zero, h - 26));
        sb.append(text(left, h - 10, "-" + fmt(max) + unit, "tick", "start"));
        sb.append(text(zero, h - 10, "0", "tick", "middle"));
        sb.append(text(left + pw, h - 10, "+" + fmt(max) + unit, "tick", "end"));
        int y = top;
        for (Bar b : bars) {
            double v = Math.max(-clip, Math.min(clip, b.value()));
            double len = pw / 2 * Math.abs(v) / max;
            double x = v >= 0 ? zero : zero - len;
            sb.append(text(left - 8, y + 15, b.label(), "label", "end"));
            sb.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                    + "fill=\"%s\"><title>%s</title></rect>", x, y + 3, Math.max(len, 1.0), rowH - 6, b.color(), esc(b.tooltip())));
            sb.append(text(v >= 0 ? x + len + 4 : x - 4, y + 15, (b.value() >= 0 ? "+" : "") + fmt(b.value()) + unit,
                    "value", v >= 0 ? "start" : "end"));
            y += rowH;
        }
        return sb.append("</svg>").toString();
    }

    /** A grid of rows × columns, each cell split into an A half and a B half. */
    static String matrix(String title, List<String> rows, List<String> cols, Cell[][] cells, int w) {
        // row labels are test names, right-aligned at `left`: leave room for the longest (~7 px a character at 12 px)
        int longest = rows.stream().mapToInt(String::length).max().orElse(0);
        int left = Math.max(220, 16 + 7 * longest), top = 110;
        int cw = Math.max(40, Math.min(90, (w - left - 20) / Math.max(1, cols.size()))), ch = 26;
        int h = top + ch * rows.size() + 40;
        int width = Math.max(w, left + cw * cols.size() + 20);
        StringBuilder sb = open(width, h, "matrix", title);
        sb.append(text(10, 18, title, "title", "start"));
        for (int c = 0; c < cols.size(); c++) {
            double x = left + c * cw + cw / 2.0;
            sb.append(String.format(Locale.ROOT, "<text class=\"tick\" transform=\"translate(%.1f,%d) rotate(-40)\">%s</text>",
                    x, top - 8, esc(cols.get(c))));
        }
        for (int r = 0; r < rows.size(); r++) {
            int y = top + r * ch;
            sb.append(text(left - 8, y + 17, rows.get(r), "label", "end"));
            for (int c = 0; c < cols.size(); c++) {
                Cell cell = cells[r][c];
                int x = left + c * cw;
                String ca = cell == null || cell.colorA() == null ? "#f4f4f4" : cell.colorA();
                String cb = cell == null || cell.colorB() == null ? "#f4f4f4" : cell.colorB();
                String tip = cell == null ? "not run" : cell.tooltip();
                sb.append(String.format("<g class=\"cell\"><title>%s</title>", esc(tip)));
                sb.append(String.format("<rect class=\"cell-a\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"/>",
                        x, y, cw / 2, ch - 2, ca));
                sb.append(String.format("<rect class=\"cell-b\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"/>",
                        x + cw / 2, y, cw - cw / 2 - 2, ch - 2, cb));
                sb.append("</g>");
            }
        }
        sb.append(text(left, h - 12, "each cell: left half = A, right half = B; green passed, red failed, grey skipped, "
                + "light = not run", "legend", "start"));
        return sb.append("</svg>").toString();
    }

    /**
     * Two rows of dots, one per replica (A above, B below), on a shared horizontal axis, each row with
     * its mean and 95 % confidence interval: what the noise test saw.
     */
    static String strip(String title, double[] a, double[] b, Noise n, int w) {
        int left = 40, right = 20, top = 40, row = 26, h = top + 2 * row + 30;
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (double[] side : new double[][] {a, b}) {
            for (double v : side) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        min = Math.min(min, Math.min(n.meanA() - n.ciA(), n.meanB() - n.ciB()));
        max = Math.max(max, Math.max(n.meanA() + n.ciA(), n.meanB() + n.ciB()));
        if (max <= min) max = min + 1;
        double pad = (max - min) * 0.05;
        double lo = min - pad, hi = max + pad, pw = w - left - right;
        java.util.function.DoubleUnaryOperator x = v -> left + pw * (v - lo) / (hi - lo);
        StringBuilder sb = open(w, h, "replicas", title);
        sb.append(text(left, 16, title, "title", "start"));
        String[] colors = {PALETTE[0], PALETTE[1]};
        double[][] sides = {a, b};
        double[] means = {n.meanA(), n.meanB()};
        double[] cis = {n.ciA(), n.ciB()};
        for (int s = 0; s < 2; s++) {
            double y = top + row * s + row / 2.0;
            sb.append(text(left - 8, y + 4, s == 0 ? "A" : "B", "tick", "end"));
            sb.append(String.format(Locale.ROOT, "<line class=\"ci\" stroke=\"%s\" stroke-width=\"3\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                    colors[s], x.applyAsDouble(means[s] - cis[s]), y + 8, x.applyAsDouble(means[s] + cis[s]), y + 8));
            sb.append(String.format(Locale.ROOT, "<line class=\"mean\" stroke=\"%s\" stroke-width=\"2\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                    colors[s], x.applyAsDouble(means[s]), y - 9, x.applyAsDouble(means[s]), y + 11));
            for (double v : sides[s]) {
                sb.append(String.format(Locale.ROOT, "<circle class=\"replica\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" fill-opacity=\"0.6\"><title>%s</title></circle>",
                        x.applyAsDouble(v), y, colors[s], esc((s == 0 ? "A: " : "B: ") + fmt(v))));
            }
        }
        double axisY = top + 2 * row + 4;
        sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", left, axisY, left + pw, axisY));
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            sb.append(text(x.applyAsDouble(v), axisY + 14, fmt(v), "tick", "middle"));
        }
        sb.append(text(left, 32, String.format(Locale.ROOT, "p = %.3f (Mann-Whitney U, two-sided), n = %d / %d; bars: mean and 95%% CI",
                n.pValue(), n.nA(), n.nB()), "legend", "start"));
        return sb.append("</svg>").toString();
    }

    private static StringBuilder open(int w, int h, String kind, String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ktstr-chart\" data-kind=\"%s\" "
                + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", kind, w, h, w, h, esc(title)));
        return sb;
    }

    private static void axes(StringBuilder sb, int left, int top, double pw, double ph) {
        sb.append(String.format(Locale.ROOT, "<rect class=\"plotarea\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\"/>",
                left, top, pw, ph));
    }

    private static String text(double x, double y, String s, String cls, String anchor) {
        return String.format(Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>",
                cls, x, y, anchor, esc(s));
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static double niceCeil(double v) {
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= v) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
