package dev.ktstr.results.stats;

import static dev.ktstr.results.stats.Svg.fmt;

import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.results.RunDir;
import dev.ktstr.protocol.metrics.MetricDef;
import dev.ktstr.protocol.metrics.MetricRegistry;
import dev.ktstr.protocol.metrics.Polarity;
import dev.ktstr.protocol.sidecar.PhaseTimings;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.VerifierStat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/** {@code ktstr stats} without a subcommand: what happened in one run, and what stands out. */
public final class RunOverview {
    /** BPF programs are refused at one million verified instructions; warn from 90 % of that. */
    static final long VERIFIER_WARN = 900_000;

    private RunOverview() {}

    public static String render(RunDir run, LoadResult lr) {
        StringBuilder sb = new StringBuilder();
        List<Sidecar> all = lr.sidecars().stream().map(LoadedSidecar::sidecar).toList();
        List<Sidecar> ok = all.stream().filter(s -> s.passed() && !s.skipped()).toList();
        long skipped = all.stream().filter(Sidecar::skipped).count();
        long inconclusive = all.stream().filter(s -> s.outcome().equals("inconclusive")).count();
        long failed = all.size() - ok.size() - skipped - inconclusive;
        sb.append("run ").append(run.id()).append("  kernel ").append(run.meta().kernel()).append(", commit ")
                .append(run.meta().commit() == null ? "unknown" : run.meta().commit()).append(", started ")
                .append(run.meta().createdAt()).append('\n');
        sb.append(all.size()).append(" variant(s): ").append(ok.size()).append(" passed, ").append(failed)
                .append(" failed, ").append(inconclusive == 0 ? "" : inconclusive + " inconclusive, ").append(skipped).append(" skipped\n");
        sb.append("accelerator: ").append(counts(all, Sidecar::accelerator)).append("; worker nodes: ")
                .append(counts(all, Sidecar::workerNode)).append('\n');
        sb.append("mean phase times (ms): host prepare ").append(mean(all, PhaseTimings::hostPrepareMs))
                .append(", qemu ").append(mean(all, PhaseTimings::qemuStartMs))
                .append(", kernel to /init ").append(mean(all, PhaseTimings::kernelToInitMs))
                .append(", agent JVM ").append(mean(all, PhaseTimings::agentJvmMs))
                .append(", boot (to hello) ").append(mean(all, PhaseTimings::bootMs))
                .append(", scheduler attach ").append(mean(all, PhaseTimings::schedulerAttachMs))
                .append(", hello to scenario ").append(mean(all, PhaseTimings::agentReadyMs))
                .append(", worker spawn ").append(mean(all, PhaseTimings::workerSpawnMs))
                .append(", scenario ").append(mean(all, PhaseTimings::scenarioMs))
                .append(", collection ").append(mean(all, PhaseTimings::collectionMs))
                .append(", teardown ").append(mean(all, PhaseTimings::teardownMs))
                .append(", total ").append(mean(all, PhaseTimings::totalMs)).append('\n');
        for (String kind : List.of("failed", "inconclusive", "skipped")) {
            List<Sidecar> l = all.stream().filter(s -> s.outcome().equals(kind)).toList();
            if (!l.isEmpty()) {
                sb.append('\n').append(kind).append(" (").append(l.size()).append("):\n");
                l.forEach(s -> sb.append("  ").append(CompareEngine.label(s).strip()).append(": ")
                        .append(s.reason() == null ? "(no reason recorded)" : s.reason()).append('\n'));
            }
        }
        outliers(sb, ok);
        byDimension(sb, "topology", all, Sidecar::topology);
        byDimension(sb, "scheduler", all, Sidecar::scheduler);
        byDimension(sb, "flags", all, s -> s.activeFlags().isEmpty() ? "(none)" : String.join(",", s.activeFlags()));
        verifier(sb, all);
        kvm(sb, all);
        ValueListing.problems(sb, lr);
        return sb.toString();
    }

    /** Scenario means beyond the overall mean ± 2σ on the bad side of each metric (spec §8.3). */
    static void outliers(StringBuilder sb, List<Sidecar> ok) {
        List<String> lines = new ArrayList<>();
        for (MetricDef m : MetricRegistry.all()) {
            List<Double> values = new ArrayList<>();
            Map<String, List<Double>> byTest = new TreeMap<>();
            for (Sidecar s : ok) {
                Double v = m.valueOf(s);
                if (v != null && Double.isFinite(v)) {
                    values.add(v);
                    byTest.computeIfAbsent(s.testName(), k -> new ArrayList<>()).add(v);
                }
            }
            if (values.size() < 3 || byTest.size() < 2) {
                continue;
            }
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double sd = Math.sqrt(values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / values.size());
            if (sd == 0) {
                continue;
            }
            byTest.forEach((t, l) -> {
                double tm = l.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                boolean bad = m.polarity() == Polarity.LOWER_IS_BETTER ? tm > mean + 2 * sd : tm < mean - 2 * sd;
                if (bad) {
                    lines.add(String.format(Locale.ROOT, "  %-32s %-30s %s (run mean %s, σ %s)", m.name(), t, fmt(tm), fmt(mean), fmt(sd)));
                }
            });
        }
        sb.append("\noutliers (scenario mean beyond run mean ± 2σ):\n");
        if (lines.isEmpty()) {
            sb.append("  none\n");
        } else {
            lines.forEach(l -> sb.append(l).append('\n'));
        }
    }

    private static void byDimension(StringBuilder sb, String name, List<Sidecar> all, Function<Sidecar, String> key) {
        Map<String, List<Sidecar>> groups = new TreeMap<>();
        all.forEach(s -> groups.computeIfAbsent(String.valueOf(key.apply(s)), k -> new ArrayList<>()).add(s));
        if (groups.size() < 2) {
            return;
        }
        sb.append("\nby ").append(name).append(":\n");
        groups.forEach((k, l) -> {
            long pass = l.stream().filter(s -> s.outcome().equals("passed")).count();
            long fail = l.stream().filter(s -> s.outcome().equals("failed")).count();
            long inconclusive = l.stream().filter(s -> s.outcome().equals("inconclusive")).count();
            long skip = l.stream().filter(Sidecar::skipped).count();
            double gap = l.stream().filter(s -> s.stats() != null).mapToDouble(s -> s.stats().worstGapMs()).max().orElse(0);
            // spinners never sleep, so they have no wake latency: "-" (no samples), not a measured 0us
            java.util.OptionalDouble p99 = l.stream().filter(s -> s.stats() != null && wakeSamples(s) > 0)
                    .mapToDouble(s -> s.stats().worstP99WakeLatencyUs()).max();
            sb.append(String.format(Locale.ROOT, "  %-24s %3d passed %3d failed %3d skipped%s  worst gap %sms  worst p99 wake %s%n",
                    k, pass, fail, skip, inconclusive == 0 ? "" : String.format(Locale.ROOT, " %3d inconclusive", inconclusive),
                    fmt(gap), p99.isPresent() ? fmt(p99.getAsDouble()) + "us" : "-"));
        });
    }

    static long wakeSamples(Sidecar s) {
        return s.stats().cgroups().stream().mapToLong(c -> c.wakeSampleTotal()).sum();
    }

    private static void verifier(StringBuilder sb, List<Sidecar> all) {
        Map<String, Long> max = new TreeMap<>();
        for (Sidecar s : all) {
            for (VerifierStat v : s.verifierStats()) {
                max.merge(v.name(), v.verifiedInsns(), Math::max);
            }
        }
        if (max.isEmpty()) {
            return;
        }
        sb.append("\nBPF verifier (max verified instructions per program):\n");
        max.forEach((p, n) -> sb.append(String.format(Locale.ROOT, "  %-32s %10d%s%n", p, n,
                n >= VERIFIER_WARN ? "  WARNING: near the 1M verifier limit" : "")));
    }

    private static void kvm(StringBuilder sb, List<Sidecar> all) {
        Map<String, double[]> sums = new TreeMap<>();
        for (Sidecar s : all) {
            if (s.kvmStats() == null) {
                continue;
            }
            for (Map<String, Long> vcpu : s.kvmStats().perVcpu()) {
                vcpu.forEach((k, v) -> {
                    double[] acc = sums.computeIfAbsent(k, x -> new double[2]);
                    acc[0] += v;
                    acc[1]++;
                });
            }
        }
        if (sums.isEmpty()) {
            return;
        }
        sb.append("\nKVM stats (mean per vCPU across VMs):\n");
        sums.forEach((k, acc) -> sb.append(String.format(Locale.ROOT, "  %-24s %s%n", k, fmt(acc[0] / acc[1]))));
    }

    private static String counts(List<Sidecar> all, Function<Sidecar, String> f) {
        Map<String, Integer> m = new TreeMap<>();
        all.forEach(s -> m.merge(Objects.toString(f.apply(s), "-"), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + " ×" + v));
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    private static String mean(List<Sidecar> all, Function<PhaseTimings, Long> f) {
        double sum = 0;
        int n = 0;
        for (Sidecar s : all) {
            Long v = f.apply(s.phases());
            if (v != null) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? "-" : fmt(sum / n);
    }
}
