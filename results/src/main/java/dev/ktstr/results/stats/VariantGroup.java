package dev.ktstr.results.stats;

import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.protocol.metrics.MetricDef;
import dev.ktstr.protocol.metrics.MetricRegistry;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCgroup;
import dev.ktstr.protocol.sidecar.SidecarFormatException;
import dev.ktstr.protocol.sidecar.WakeLatencyHistograms;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The sidecars of one side sharing a pairing key, reduced to one value per metric: the mean over
 * passing, non-skipped contributors, except wake-latency metrics, which are recomputed from the
 * per-cgroup histograms merged across all contributors (a mean of p99s is not a p99).
 */
public final class VariantGroup {
    private final String key;
    private final List<LoadedSidecar> rows;
    private final Map<String, Double> metrics = new LinkedHashMap<>();
    private final Map<String, Histogram> mergedByCgroup = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();
    private boolean latencyFromHistograms;

    VariantGroup(String key, List<LoadedSidecar> rows) {
        this.key = key;
        this.rows = List.copyOf(rows);
        compute();
    }

    public String key() {
        return key;
    }

    public List<LoadedSidecar> rows() {
        return rows;
    }

    public Sidecar first() {
        return rows.get(0).sidecar();
    }

    /** AND over contributors, as in the spec. */
    public boolean passed() {
        return rows.stream().allMatch(r -> r.sidecar().passed() && !r.sidecar().skipped());
    }

    public boolean skipped() {
        return rows.stream().allMatch(r -> r.sidecar().skipped());
    }

    public List<LoadedSidecar> contributors() {
        return rows.stream().filter(r -> r.sidecar().passed() && !r.sidecar().skipped()).toList();
    }

    /** Metric value, or null when no contributor recorded it. */
    public Double metric(String name) {
        return metrics.get(name);
    }

    /**
     * One value per passing contributor that recorded the metric, as that sidecar states it (for
     * wake-latency metrics, each replica's own figure, not the merged histogram's): the samples the
     * noise test of {@code stats compare} ranks.
     */
    public double[] samples(String name) {
        MetricDef m = MetricRegistry.byName(name).orElse(null);
        if (m == null) return new double[0];
        return contributors().stream().map(r -> m.valueOf(r.sidecar())).filter(v -> v != null && Double.isFinite(v))
                .mapToDouble(Double::doubleValue).toArray();
    }

    public boolean latencyFromHistograms() {
        return latencyFromHistograms;
    }

    public Map<String, Histogram> mergedHistograms() {
        return mergedByCgroup;
    }

    /** Sidecars whose histogram could not be decoded (reported, then ignored). */
    public List<String> problems() {
        return problems;
    }

    private void compute() {
        List<LoadedSidecar> contrib = contributors();
        for (MetricDef m : MetricRegistry.all()) {
            double sum = 0;
            int n = 0;
            for (LoadedSidecar r : contrib) {
                Double v = m.valueOf(r.sidecar());
                if (v != null && Double.isFinite(v)) {
                    sum += v;
                    n++;
                }
            }
            metrics.put(m.name(), n == 0 ? null : sum / n);
        }
        mergeHistograms(contrib);
        if (!mergedByCgroup.isEmpty()) {
            latencyFromHistograms = true;
            double p99 = 0;
            double median = 0;
            double cv = 0;
            double tail = 0;
            for (Histogram h : mergedByCgroup.values()) {
                if (h.getTotalCount() == 0) {
                    continue;
                }
                double hp99 = h.getValueAtPercentile(99) / 1000.0;
                double hmed = h.getValueAtPercentile(50) / 1000.0;
                p99 = Math.max(p99, hp99);
                median = Math.max(median, hmed);
                cv = Math.max(cv, h.getMean() > 0 ? h.getStdDeviation() / h.getMean() : 0);
                tail = Math.max(tail, hmed > 0 ? hp99 / hmed : 0);
            }
            metrics.put("worst_p99_wake_latency_us", p99);
            metrics.put("worst_median_wake_latency_us", median);
            metrics.put("worst_wake_latency_cv", cv);
            metrics.put("worst_wake_latency_tail_ratio", tail);
        }
    }

    /** Merges per cgroup name; only when every contributor carries histograms, else stats means stand. */
    private void mergeHistograms(List<LoadedSidecar> contrib) {
        Map<String, Histogram> merged = new TreeMap<>();
        for (LoadedSidecar r : contrib) {
            if (r.sidecar().stats() == null) {
                return;
            }
            for (SidecarCgroup cg : r.sidecar().stats().cgroups()) {
                if (cg.wakeLatencyHdr() == null) {
                    if (cg.wakeSampleTotal() > 0) {
                        return; // samples without a histogram: fall back to the recorded statistics
                    }
                    continue;
                }
                try {
                    merged.computeIfAbsent(cg.name(), n -> WakeLatencyHistograms.newHistogram())
                            .add(WakeLatencyHistograms.decode(cg.wakeLatencyHdr()));
                } catch (SidecarFormatException e) {
                    problems.add(r.path() + ": cgroup " + cg.name() + ": " + e.getMessage());
                    return;
                }
            }
        }
        mergedByCgroup.putAll(merged);
    }

    /** Percentile curves of the merged histograms, for the HTML report. */
    public List<LatencyCurve> curves() {
        List<LatencyCurve> out = new ArrayList<>();
        mergedByCgroup.forEach((name, h) -> {
            if (h.getTotalCount() == 0) {
                return;
            }
            List<double[]> pts = new ArrayList<>();
            for (double p : LatencyCurve.PERCENTILES) {
                pts.add(new double[] {p, h.getValueAtPercentile(p) / 1000.0});
            }
            out.add(new LatencyCurve(name, h.getTotalCount(), pts));
        });
        return out;
    }
}
