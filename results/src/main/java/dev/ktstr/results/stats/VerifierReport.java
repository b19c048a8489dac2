package dev.ktstr.results.stats;

import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.VerifierStat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Verifier cost per scheduler program, from sidecars (what {@code ktstr verifier} prints), and its
 * compare against an earlier run: the check scx CI does with veristat, where a program whose
 * verified-instruction count grows past a threshold fails the change (it is on its way to the 1M
 * limit, and verification time grows with it).
 */
public final class VerifierReport {
    private VerifierReport() {}

    /** The kernel rejects a program whose verification processes more instructions than this. */
    public static final long VERIFIER_LIMIT = 1_000_000;

    /** One program of one scheduler on one kernel; the maximum over the topologies it ran on. */
    public record Row(String scheduler, String kernel, String program, String type, long verifiedInsns, long xlatedBytes,
                      List<String> topologies) {
        String key() {
            return scheduler + "\u0000" + kernel + "\u0000" + program;
        }
    }

    /** How one program's cost moved between a baseline and this run. */
    public record Delta(String scheduler, String kernel, String program, Long before, Long after, double pct, boolean grew) {
        public boolean added() { return before == null; }
        public boolean removed() { return after == null; }
    }

    /** Rows from every sidecar that recorded programs, struct_ops first, then by scheduler, kernel and name. */
    public static List<Row> rows(List<Sidecar> sidecars) {
        Map<String, Row> byKey = new LinkedHashMap<>();
        for (Sidecar s : sidecars) {
            for (VerifierStat v : s.verifierStats()) {
                Row r = new Row(s.scheduler(), s.kernelVersion(), v.name(), v.type(), v.verifiedInsns(), v.xlatedBytes(),
                        List.of(s.topology()));
                byKey.merge(r.key(), r, VerifierReport::max);
            }
        }
        List<Row> out = new ArrayList<>(byKey.values());
        out.sort(Comparator.comparing(Row::scheduler).thenComparing(Row::kernel, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(r -> !"struct_ops".equals(r.type())).thenComparing(Row::program));
        return out;
    }

    private static Row max(Row a, Row b) {
        List<String> topos = new ArrayList<>(a.topologies());
        for (String t : b.topologies()) if (!topos.contains(t)) topos.add(t);
        Row hi = b.verifiedInsns() > a.verifiedInsns() ? b : a;
        return new Row(hi.scheduler(), hi.kernel(), hi.program(), hi.type(), hi.verifiedInsns(), hi.xlatedBytes(), List.copyOf(topos));
    }

    /** A table per scheduler and kernel: program, type, verified instructions, share of the limit, translated size. */
    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        String group = null;
        for (Row r : rows) {
            String g = r.scheduler() + " on kernel " + r.kernel();
            if (!g.equals(group)) {
                group = g;
                sb.append(sb.isEmpty() ? "" : "\n").append(g).append(" (topologies: ").append(String.join(", ", r.topologies())).append(")\n");
                sb.append(String.format(Locale.ROOT, "  %-20s %-12s %12s %7s %10s%n", "program", "type", "verified", "limit", "xlated"));
            }
            sb.append(String.format(Locale.ROOT, "  %-20s %-12s %12d %6.2f%% %9dB%s%n", r.program(), r.type() == null ? "-" : r.type(),
                    r.verifiedInsns(), 100.0 * r.verifiedInsns() / VERIFIER_LIMIT, r.xlatedBytes(),
                    r.verifiedInsns() >= RunOverview.VERIFIER_WARN ? "  WARNING: near the 1M verifier limit" : ""));
        }
        return sb.toString();
    }

    /**
     * Each program of either side, matched by scheduler, kernel and name. {@code grew} when the count
     * rose by more than {@code thresholdPct} percent; a program only in this run is listed, not a failure.
     */
    public static List<Delta> compare(List<Row> baseline, List<Row> current, double thresholdPct) {
        if (thresholdPct < 0) throw new IllegalArgumentException("threshold must be >= 0 %, got " + thresholdPct);
        Map<String, Row> before = new TreeMap<>();
        baseline.forEach(r -> before.put(r.key(), r));
        Map<String, Row> after = new TreeMap<>();
        current.forEach(r -> after.put(r.key(), r));
        List<Delta> out = new ArrayList<>();
        for (Row a : current) {
            Row b = before.get(a.key());
            if (b == null) {
                out.add(new Delta(a.scheduler(), a.kernel(), a.program(), null, a.verifiedInsns(), Double.NaN, false));
                continue;
            }
            double pct = b.verifiedInsns() == 0 ? (a.verifiedInsns() == 0 ? 0 : Double.POSITIVE_INFINITY)
                    : 100.0 * (a.verifiedInsns() - b.verifiedInsns()) / b.verifiedInsns();
            out.add(new Delta(a.scheduler(), a.kernel(), a.program(), b.verifiedInsns(), a.verifiedInsns(), pct, pct > thresholdPct));
        }
        for (Row b : baseline) {
            if (!after.containsKey(b.key())) out.add(new Delta(b.scheduler(), b.kernel(), b.program(), b.verifiedInsns(), null, Double.NaN, false));
        }
        return out;
    }

    /** The compare as text: one line per program, GREW lines marked, and a last line with the count. */
    public static String compareText(List<Delta> deltas, double thresholdPct) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "  %-14s %-22s %-20s %10s %10s %9s%n", "scheduler", "kernel", "program", "before", "after", "change"));
        long grew = 0;
        for (Delta d : deltas) {
            String change = d.added() ? "new" : d.removed() ? "gone" : String.format(Locale.ROOT, "%+.1f%%", d.pct());
            sb.append(String.format(Locale.ROOT, "  %-14s %-22s %-20s %10s %10s %9s%s%n", d.scheduler(), d.kernel(), d.program(),
                    d.before() == null ? "-" : d.before(), d.after() == null ? "-" : d.after(), change, d.grew() ? "  GREW" : ""));
            if (d.grew()) grew++;
        }
        sb.append(grew == 0 ? String.format(Locale.ROOT, "no program grew more than %.1f%%%n", thresholdPct)
                : String.format(Locale.ROOT, "%d program(s) grew more than %.1f%%%n", grew, thresholdPct));
        return sb.toString();
    }
}
