package dev.ktstr.results;

import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCgroup;
import dev.ktstr.protocol.sidecar.SidecarDetail;
import dev.ktstr.protocol.sidecar.SidecarStats;
import dev.ktstr.protocol.sidecar.WakeLatencyHistograms;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.verify.AssertDetail;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.CgroupStats;
import dev.ktstr.scenario.verify.DetailKind;
import dev.ktstr.scenario.verify.ScenarioStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Maps the scenario model (AssertResult, ScenarioStats, WorkerReport) into the sidecar file format.
 * The sidecar keeps its own records so the file format does not move when the scenario API does.
 */
public final class ScenarioSidecars {
    private ScenarioSidecars() {}

    /**
     * A builder pre-filled with the outcome, reason, details and statistics of a guest result; the
     * runner adds identity (topology, scheduler, kernel, ...), host, accelerator and timings.
     *
     * @param reports the worker reports the statistics were computed from (their wake-latency
     *                histograms are merged per cgroup into the sidecar); may be empty
     */
    public static Sidecar.Builder fromResult(String testName, AssertResult result, Collection<WorkerReport> reports) {
        Sidecar.Builder b = Sidecar.builder(testName).details(details(result.details()));
        if (result.skipped()) {
            String why = result.details(DetailKind.SKIP).stream().map(AssertDetail::message).findFirst().orElse("skipped");
            b.skipped(why).details(details(result.details()));
        } else if (!result.passed()) {
            b.failed(result.details().stream().filter(d -> d.kind() != DetailKind.SKIP).map(AssertDetail::message)
                    .findFirst().orElse("failed (no detail recorded)"));
        }
        return b.stats(stats(result.stats(), reports));
    }

    /** Null for the empty statistics of a result that never ran a scenario. */
    public static SidecarStats stats(ScenarioStats s, Collection<WorkerReport> reports) {
        if (s == null || (s.cgroups().isEmpty() && s.totalWorkers() == 0)) {
            return null;
        }
        Map<String, Histogram> hist = new HashMap<>();
        Map<String, Long> samples = new HashMap<>();
        for (WorkerReport r : reports) {
            samples.merge(r.cgroup(), r.wakeSampleTotal(), Long::sum);
            if (r.wakeLatencyHistogram() != null) {
                hist.computeIfAbsent(r.cgroup(), k -> WakeLatencyHistograms.newHistogram()).add(r.wakeLatencies());
            }
        }
        List<SidecarCgroup> cgs = new ArrayList<>();
        for (CgroupStats c : s.cgroups()) {
            Histogram h = hist.get(c.cgroup());
            cgs.add(new SidecarCgroup(c.cgroup(), c.numWorkers(), c.numCpus(), c.avgOffCpuPct(), c.minOffCpuPct(),
                    c.maxOffCpuPct(), c.spread(), c.maxGapMs(), cpu(c.maxGapCpu()), c.totalMigrations(), c.migrationRatio(),
                    c.p99WakeLatencyUs(), c.medianWakeLatencyUs(), c.wakeLatencyCv(), c.totalIterations(),
                    c.meanRunDelayUs(), c.worstRunDelayUs(), c.pageLocality(), c.crossNodeMigrationRatio(),
                    c.wakeLatencyTailRatio(), c.iterationsPerWorker(), c.extMetrics(),
                    samples.getOrDefault(c.cgroup(), 0L),
                    h == null || h.getTotalCount() == 0 ? null : WakeLatencyHistograms.encode(h)));
        }
        return new SidecarStats(cgs, s.totalWorkers(), s.totalCpus(), s.totalMigrations(), s.worstSpread(),
                s.worstGapMs(), cpu(s.worstGapCpu()), s.worstMigrationRatio(), s.worstP99WakeLatencyUs(),
                s.worstMedianWakeLatencyUs(), s.worstWakeLatencyCv(), s.totalIterations(), s.worstMeanRunDelayUs(),
                s.worstRunDelayUs(), s.worstPageLocality(), s.worstCrossNodeMigrationRatio(),
                s.worstWakeLatencyTailRatio(), s.worstIterationsPerWorker(), s.extMetrics());
    }

    public static List<SidecarDetail> details(List<AssertDetail> details) {
        return details.stream().map(d -> new SidecarDetail(kindName(d.kind()), d.message())).toList();
    }

    /** The spec's DetailKind spelling: PAGE_LOCALITY → PageLocality. */
    static String kindName(DetailKind k) {
        StringBuilder sb = new StringBuilder();
        for (String part : k.name().split("_")) {
            sb.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    private static Integer cpu(int c) {
        return c < 0 ? null : c;
    }
}
