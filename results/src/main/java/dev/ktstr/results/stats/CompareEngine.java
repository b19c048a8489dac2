package dev.ktstr.results.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.results.stats.CompareReport.HostDelta;
import dev.ktstr.results.stats.CompareReport.MetricDelta;
import dev.ktstr.results.stats.CompareReport.Pair;
import dev.ktstr.results.stats.CompareReport.Verdict;
import dev.ktstr.protocol.metrics.MetricDef;
import dev.ktstr.protocol.metrics.MetricRegistry;
import dev.ktstr.protocol.sidecar.HostContext;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/** {@code ktstr stats compare} (spec §8.4): filter two sides, pair, average, gate every registry metric. */
public final class CompareEngine {
    private static final double EPS = 1e-9;

    private CompareEngine() {}

    public static CompareReport compare(LoadResult pool, CompareOptions opts) {
        CommitResolver resolver = new CommitResolver(opts.repo());
        SideFilter fa = SideFilter.effective(opts.shared(), opts.a()).resolveCommits(resolver);
        SideFilter fb = SideFilter.effective(opts.shared(), opts.b()).resolveCommits(resolver);
        List<Dimension> slicing = new ArrayList<>();
        for (Dimension d : Dimension.values()) {
            // --runs X X (a run against itself) is an explicit self-check, so RUN given per side always slices.
            boolean explicitRuns = d == Dimension.RUN && !opts.a().get(d).isEmpty() && !opts.b().get(d).isEmpty();
            if (!fa.get(d).equals(fb.get(d)) || explicitRuns) {
                slicing.add(d);
            }
        }
        if (slicing.isEmpty()) {
            throw new IllegalArgumentException("specify at least one per-side filter that differs between the sides "
                    + "(e.g. --a-kernel 6.11 --b-kernel 6.12, or --runs RUN_A RUN_B): A and B are both "
                    + fa.describe());
        }
        List<String> warnings = new ArrayList<>();
        if (slicing.size() > 1) {
            warnings.add("slicing on " + slicing.size() + " dimensions at once ("
                    + slicing.stream().map(Dimension::key).toList() + "): differences cannot be attributed to one of them");
        }
        List<LoadedSidecar> rowsA = select(pool, fa, opts.pattern());
        List<LoadedSidecar> rowsB = select(pool, fb, opts.pattern());
        if (rowsA.isEmpty() || rowsB.isEmpty()) {
            throw new IllegalArgumentException("side " + (rowsA.isEmpty() ? "A (" + fa.describe() + ")" : "B (" + fb.describe() + ")")
                    + " matched no readable sidecar among " + pool.sidecars().size()
                    + " (see `ktstr stats list-values` for the recorded values)");
        }
        List<Dimension> keyDims = keyDimensions(rowsA, rowsB, slicing);
        List<String> alsoDiffer = sideOnlyDifferences(rowsA, rowsB, slicing, keyDims);
        if (!alsoDiffer.isEmpty()) {
            warnings.add("the sides also differ in " + String.join(", ", alsoDiffer) + ": variants are paired across it,"
                    + " so a change may come from it as well");
        }
        Map<String, VariantGroup> ga = group(rowsA, keyDims, opts.average(), "A");
        Map<String, VariantGroup> gb = group(rowsB, keyDims, opts.average(), "B");
        for (VariantGroup g : ga.values()) {
            g.problems().forEach(p -> warnings.add("side A: " + p));
        }
        for (VariantGroup g : gb.values()) {
            g.problems().forEach(p -> warnings.add("side B: " + p));
        }

        List<Pair> pairs = new ArrayList<>();
        List<String> newInB = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (VariantGroup b : gb.values()) {
            VariantGroup a = ga.get(b.key());
            if (a == null) {
                newInB.add(b.key());
                continue;
            }
            if (!a.passed() || !b.passed()) {
                excluded.add(b.key() + ": A " + outcome(a) + ", B " + outcome(b));
                continue;
            }
            pairs.add(new Pair(b.key(), a, b, deltas(a, b, opts.policy(), opts.minReplicas(), opts.alpha())));
        }
        List<String> removed = ga.keySet().stream().filter(k -> !gb.containsKey(k)).toList();
        noiseWarning(pairs, opts.minReplicas()).ifPresent(warnings::add);
        return new CompareReport(fa, fb, slicing, warnings, opts.average(), distinctRuns(rowsA), distinctRuns(rowsB),
                List.copyOf(ga.values()), List.copyOf(gb.values()), pairs, newInB, removed, excluded,
                hostDeltas(rowsA, rowsB), pool.problems());
    }

    /**
     * Every registry metric both groups recorded. A change is significant when it passes both gates (spec
     * §8.4); with replicas enough on both sides it must also pass the noise test, else it is WITHIN_NOISE.
     */
    static List<MetricDelta> deltas(VariantGroup a, VariantGroup b, ThresholdPolicy policy, int minReplicas, double alpha) {
        List<MetricDelta> out = new ArrayList<>();
        for (MetricDef m : MetricRegistry.all()) {
            Double va = a.metric(m.name());
            Double vb = b.metric(m.name());
            if (va == null || vb == null || (Math.abs(va) < EPS && Math.abs(vb) < EPS)) {
                continue;
            }
            double delta = vb - va;
            // The spec sets rel = 0 when a ≈ 0, which can never pass the relative gate: a metric going
            // from 0 stalls to 5 would be invisible. We treat growth from zero as infinitely large.
            double rel = Math.abs(va) < EPS ? Double.POSITIVE_INFINITY : Math.abs(delta / va);
            double relGate = policy.relThreshold(m);
            double absGate = policy.absThreshold(m);
            boolean gated = Math.abs(delta) >= absGate && rel >= relGate;
            Noise noise = Noise.of(a.samples(m.name()), b.samples(m.name()), minReplicas).orElse(null);
            Verdict v = !gated ? Verdict.UNCHANGED
                    : noise != null && !noise.significant(alpha) ? Verdict.WITHIN_NOISE
                    : m.polarity().isRegression(va, vb) ? Verdict.REGRESSION : Verdict.IMPROVEMENT;
            out.add(new MetricDelta(m.name(), m.unit(), va, vb, delta, rel, absGate, relGate, v, noise));
        }
        return out;
    }

    /** Says, once, when pairs were judged without a noise estimate and what would give one. */
    static java.util.Optional<String> noiseWarning(List<Pair> pairs, int minReplicas) {
        List<Pair> without = pairs.stream().filter(p -> !p.noiseEstimated()).toList();
        if (without.isEmpty()) return java.util.Optional.empty();
        int fewestA = without.stream().mapToInt(p -> p.a().contributors().size()).min().orElse(0);
        int fewestB = without.stream().mapToInt(p -> p.b().contributors().size()).min().orElse(0);
        return java.util.Optional.of(without.size() + " of " + pairs.size() + " pair(s) have no noise estimate (fewest passing"
                + " samples per variant: A " + fewestA + ", B " + fewestB + "; a noise test needs " + minReplicas
                + " per side): their changes are judged by the dual gates alone, and on a noisy host such a change may be noise."
                + " Run both sides with `ktstr test --replicas " + Math.max(minReplicas, 5) + "` (or @KtstrTest(replicas = N))");
    }

    private static List<LoadedSidecar> select(LoadResult pool, SideFilter f, String pattern) {
        return pool.sidecars().stream().filter(f::matches)
                .filter(r -> pattern == null || label(r.sidecar()).contains(pattern)).toList();
    }

    /** The -E haystack: "{scenario} {topology} {scheduler} {work_type} {flags,}". */
    static String label(Sidecar s) {
        return s.testName() + " " + s.topology() + " " + s.scheduler() + " " + s.workType() + " "
                + String.join(",", new TreeSet<>(s.activeFlags()));
    }

    /**
     * Non-slicing dimensions that tell rows of a side apart (more than one value within A or within B),
     * and topology always. A dimension with one value per side cannot tell rows apart: when the sides
     * differ in it (two runs of two commits, compared with {@code --runs A B}) it goes with the sides,
     * like the slicing, instead of leaving every variant unpaired; {@link #sideOnlyDifferences} says so.
     */
    static List<Dimension> keyDimensions(List<LoadedSidecar> a, List<LoadedSidecar> b, List<Dimension> slicing) {
        List<Dimension> out = new ArrayList<>();
        for (Dimension d : Dimension.values()) {
            if (!d.pairs() || slicing.contains(d)) {
                continue;
            }
            if (values(a, d).size() > 1 || values(b, d).size() > 1 || d == Dimension.TOPOLOGY) {
                out.add(d);
            }
        }
        return out;
    }

    /** Dimensions, besides the slicing, in which side A and side B differ while each side has one value. */
    static List<String> sideOnlyDifferences(List<LoadedSidecar> a, List<LoadedSidecar> b, List<Dimension> slicing, List<Dimension> keys) {
        List<String> out = new ArrayList<>();
        for (Dimension d : Dimension.values()) {
            if (!d.pairs() || slicing.contains(d) || keys.contains(d)) continue;
            java.util.Set<String> va = values(a, d);
            java.util.Set<String> vb = values(b, d);
            if (!va.equals(vb)) out.add(d.key() + " (A " + String.join(",", va) + ", B " + String.join(",", vb) + ")");
        }
        return out;
    }

    private static java.util.Set<String> values(List<LoadedSidecar> rows, Dimension d) {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        rows.forEach(r -> seen.add(String.valueOf(d.valueOf(r))));
        return seen;
    }

    private static Map<String, VariantGroup> group(List<LoadedSidecar> rows, List<Dimension> keyDims,
                                                   boolean average, String side) {
        Map<String, List<LoadedSidecar>> byKey = new TreeMap<>();
        for (LoadedSidecar r : rows) {
            byKey.computeIfAbsent(pairingKey(r, keyDims), k -> new ArrayList<>()).add(r);
        }
        Map<String, VariantGroup> out = new LinkedHashMap<>();
        byKey.forEach((k, list) -> {
            if (!average && list.size() > 1) {
                throw new IllegalArgumentException("--no-average: side " + side + " has " + list.size()
                        + " sidecars for '" + k + "' (" + list.stream().map(r -> r.path().toString()).toList()
                        + "); add a filter that tells them apart (e.g. --" + side.toLowerCase() + "-run) or drop --no-average");
            }
            out.put(k, new VariantGroup(k, list));
        });
        return out;
    }

    /** Scenario plus the key dimensions' values (flags sorted and de-duplicated). */
    static String pairingKey(LoadedSidecar r, List<Dimension> keyDims) {
        StringBuilder sb = new StringBuilder(r.sidecar().testName());
        for (Dimension d : Dimension.values()) {
            if (keyDims.contains(d)) {
                String v = d.valueOf(r);
                if (d == Dimension.FLAGS && (v == null || v.isEmpty())) {
                    continue;
                }
                sb.append(' ').append(d.key()).append('=').append(v == null ? "-" : v);
            }
        }
        return sb.toString();
    }

    private static String outcome(VariantGroup g) {
        return g.skipped() ? "skipped" : g.passed() ? "passed" : "failed";
    }

    private static int distinctRuns(List<LoadedSidecar> rows) {
        return (int) rows.stream().map(LoadedSidecar::runId).distinct().count();
    }

    static List<HostDelta> hostDeltas(List<LoadedSidecar> a, List<LoadedSidecar> b) {
        HostContext ha = firstHost(a);
        HostContext hb = firstHost(b);
        if (ha == null && hb == null) {
            return List.of();
        }
        Map<String, String> fa = flatten(ha);
        Map<String, String> fb = flatten(hb);
        TreeSet<String> keys = new TreeSet<>(fa.keySet());
        keys.addAll(fb.keySet());
        List<HostDelta> out = new ArrayList<>();
        for (String k : keys) {
            String va = fa.get(k);
            String vb = fb.get(k);
            if (!Objects.equals(va, vb)) {
                String missing = k.startsWith("sched_tunables.") ? "(absent)" : "(unknown)";
                out.add(new HostDelta(k, va == null ? missing : va, vb == null ? missing : vb));
            }
        }
        return out;
    }

    private static HostContext firstHost(List<LoadedSidecar> rows) {
        return rows.stream().map(r -> r.sidecar().host()).filter(Objects::nonNull).findFirst().orElse(null);
    }

    private static Map<String, String> flatten(HostContext h) {
        Map<String, String> out = new TreeMap<>();
        if (h == null) {
            return out;
        }
        ObjectNode n = SidecarCodec.mapper().valueToTree(h);
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (e.getValue().isObject()) {
                e.getValue().properties().forEach(c -> out.put(e.getKey() + "." + c.getKey(), c.getValue().asText()));
            } else if (!e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        }
        return out;
    }
}
