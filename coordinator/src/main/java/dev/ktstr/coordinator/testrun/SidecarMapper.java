package dev.ktstr.coordinator.testrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.coordinator.plan.Variant;
import dev.ktstr.worker.host.HostContextProbe;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.sidecar.HostContext;
import dev.ktstr.protocol.sidecar.MonitorSummary;
import dev.ktstr.protocol.sidecar.PayloadMetrics;
import dev.ktstr.protocol.sidecar.PhaseTimings;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCgroup;
import dev.ktstr.protocol.sidecar.SidecarDetail;
import dev.ktstr.protocol.sidecar.SidecarFormatException;
import dev.ktstr.protocol.sidecar.SidecarStats;
import dev.ktstr.protocol.sidecar.StimulusEvent;
import dev.ktstr.protocol.sidecar.WakeLatencyHistograms;
import dev.ktstr.scenario.report.ReportJson;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.verify.AssertDetail;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.CgroupStats;
import dev.ktstr.scenario.verify.ScenarioStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Turns one variant's result (the executor's payload: guest verdict, worker reports, timings) into
 * its sidecar. Guest-provided JSON that does not bind is recorded as a detail, never fatal.
 *
 * <p>Every sidecar carries the host context of the worker that ran it (spec §8.2), so that
 * {@code stats compare} can name the host facts that differ. A worker that reports its own host
 * ({@code payload.host}) is taken at its word; otherwise the worker ran in this JVM (local mode)
 * and this host is probed, once per worker node and mapper (one mapper per run), not per sidecar:
 * the probe reads a few hundred /proc and /sys files.
 */
final class SidecarMapper {
    private final ObjectMapper json = ReportJson.mapper();
    private final String runId;
    private final String commit;
    private final String accelerator;
    private final Function<String, HostContext> hostProbe;
    private final Map<String, HostContext> hostByWorker = new ConcurrentHashMap<>();

    SidecarMapper(String runId, String commit, String accelerator) {
        this(runId, commit, accelerator, worker -> HostContextProbe.capture());
    }

    /** @param hostProbe host context of a local worker node (key "" when the coordinator decided alone) */
    SidecarMapper(String runId, String commit, String accelerator, Function<String, HostContext> hostProbe) {
        this.runId = runId;
        this.commit = commit;
        this.accelerator = accelerator;
        this.hostProbe = hostProbe;
    }

    Sidecar map(VariantOutcome o, KernelArtifacts kernel) {
        Variant v = o.variant();
        JobResult r = o.result();
        JsonNode p = r.payload();
        List<SidecarDetail> details = new ArrayList<>();
        SidecarStats stats = null;
        List<StimulusEvent> stimuli = new ArrayList<>();
        if (p != null && p.hasNonNull("result")) {
            try {
                AssertResult ar = json.treeToValue(p.get("result"), AssertResult.class);
                for (AssertDetail d : ar.details()) details.add(new SidecarDetail(d.kind().name(), d.message()));
                stats = stats(ar.stats(), p.path("worker_reports"), details);
            } catch (Exception e) {
                details.add(new SidecarDetail("Other", "guest result did not parse: " + e.getMessage()));
            }
        }
        if (p != null) {
            for (JsonNode s : p.path("stimulus_events")) {
                stimuli.add(new StimulusEvent(s.path("elapsedMs").asLong(s.path("elapsed_ms").asLong(0)),
                        s.path("label").asText(""), text(s, "opKind"), text(s, "detail"), null));
            }
        }
        MonitorSummary monitor = null;
        List<PayloadMetrics> metrics = new ArrayList<>();
        if (p != null) {
            if (p.hasNonNull("monitor")) {
                try {
                    monitor = json.treeToValue(p.get("monitor"), MonitorSummary.class);
                } catch (Exception e) {
                    details.add(new SidecarDetail("Other", "monitor summary did not parse: " + e.getMessage()));
                }
            }
            for (JsonNode mv : p.path("monitor_violations")) details.add(new SidecarDetail("MONITOR", mv.asText()));
            Map<String, Double> mon = numbers(p.path("monitor_metrics"));
            if (!mon.isEmpty()) metrics.add(new PayloadMetrics("host_monitor", mon));
            Map<String, Double> perf = perfMetrics(p.path("perf"));
            if (!perf.isEmpty()) metrics.add(new PayloadMetrics("performance_mode", perf));
        }
        HostContext host = host(r, p, details);
        Map<String, Long> t = r.phaseTimingsMs();
        PhaseTimings phases = new PhaseTimings(t.get("host_prepare"), t.get("qemu_start"), t.get("kernel_to_init"), t.get("agent_jvm"),
                t.get("boot"), t.get("agent_ready"), t.get("scheduler_attach"), t.get("worker_spawn"), t.get("scenario"),
                t.get("collection"), t.get("teardown"), t.get("total"));
        String scheduler = o.entry() == null ? "eevdf" : o.entry().config().scheduler().displayName();
        Sidecar.Builder b = Sidecar.builder(v.name())
                .runId(runId)
                .variantId(r.jobId())
                .topology(v.topology().render())
                .scheduler(scheduler)
                .projectCommit(commit)
                .kernelVersion(kernel.version())
                .workType("CpuSpin")
                .activeFlags(v.activeFlags())
                .details(details)
                .stats(stats)
                .stimulusEvents(stimuli)
                .monitor(monitor)
                .metrics(metrics)
                .timestamp(Instant.now().toString())
                .runSource(System.getenv("KTSTR_CI") != null && !System.getenv("KTSTR_CI").isEmpty() ? "ci" : "local")
                .accelerator(acceleratorOf(r.accelerator() != null ? r.accelerator() : accelerator))
                .workerNode(r.workerNode())
                .host(host)
                .phases(phases)
                .cleanupDurationMs(t.get("teardown"));
        if (r.status() == JobStatus.PASS) b.passed();
        else if (r.status() == JobStatus.SKIP) b.skipped(r.message());
        else b.failed(r.status() + ": " + r.message());
        return b.build();
    }

    /**
     * The worker's own report when it sent one, else this host, probed once per worker node. A
     * variant resolved before dispatch (no worker) gets this host too: in local mode the
     * coordinator and the worker share it.
     */
    private HostContext host(JobResult r, JsonNode p, List<SidecarDetail> details) {
        if (p != null && p.hasNonNull("host")) {
            try {
                return json.treeToValue(p.get("host"), HostContext.class);
            } catch (Exception e) {
                details.add(new SidecarDetail("Other", "worker host context did not parse: " + e.getMessage()
                        + "; recorded this host's instead"));
            }
        }
        String worker = r.workerNode() == null ? "" : r.workerNode();
        return hostByWorker.computeIfAbsent(worker, hostProbe);
    }

    private SidecarStats stats(ScenarioStats s, JsonNode reports, List<SidecarDetail> details) {
        if (s == null) return null;
        Map<String, Histogram> hist = new LinkedHashMap<>();
        Map<String, Long> samples = new LinkedHashMap<>();
        for (JsonNode n : reports) {
            try {
                WorkerReport w = json.treeToValue(n, WorkerReport.class);
                samples.merge(w.cgroup(), w.wakeSampleTotal(), Long::sum);
                if (w.wakeLatencyHistogram() != null && !w.wakeLatencyHistogram().isEmpty()) {
                    hist.computeIfAbsent(w.cgroup(), k -> WakeLatencyHistograms.newHistogram())
                            .add(WakeLatencyHistograms.decode(w.wakeLatencyHistogram()));
                }
            } catch (SidecarFormatException e) {
                details.add(new SidecarDetail("Other", "worker wake-latency histogram unreadable: " + e.getMessage()));
            } catch (Exception e) {
                details.add(new SidecarDetail("Other", "worker report did not parse: " + e.getMessage()));
            }
        }
        List<SidecarCgroup> cgroups = new ArrayList<>();
        for (CgroupStats c : s.cgroups()) {
            Histogram h = hist.get(c.cgroup());
            cgroups.add(new SidecarCgroup(c.cgroup(), c.numWorkers(), c.numCpus(), c.avgOffCpuPct(), c.minOffCpuPct(),
                    c.maxOffCpuPct(), c.spread(), c.maxGapMs(), c.maxGapCpu() < 0 ? null : c.maxGapCpu(), c.totalMigrations(),
                    c.migrationRatio(), c.p99WakeLatencyUs(), c.medianWakeLatencyUs(), c.wakeLatencyCv(), c.totalIterations(),
                    c.meanRunDelayUs(), c.worstRunDelayUs(), c.pageLocality(), c.crossNodeMigrationRatio(),
                    c.wakeLatencyTailRatio(), c.iterationsPerWorker(), c.extMetrics(),
                    samples.getOrDefault(c.cgroup(), 0L), h == null || h.getTotalCount() == 0 ? null : WakeLatencyHistograms.encode(h)));
        }
        return new SidecarStats(cgroups, s.totalWorkers(), s.totalCpus(), s.totalMigrations(), s.worstSpread(),
                s.worstGapMs(), s.worstGapCpu() < 0 ? null : s.worstGapCpu(), s.worstMigrationRatio(),
                s.worstP99WakeLatencyUs(), s.worstMedianWakeLatencyUs(), s.worstWakeLatencyCv(), s.totalIterations(),
                s.worstMeanRunDelayUs(), s.worstRunDelayUs(), s.worstPageLocality(), s.worstCrossNodeMigrationRatio(),
                s.worstWakeLatencyTailRatio(), s.worstIterationsPerWorker(), s.extMetrics());
    }

    /** The sidecar schema knows kvm and tcg; a placeholder such as "-" (no VM was started) is null. */
    private static String acceleratorOf(String a) {
        return "kvm".equals(a) || "tcg".equals(a) ? a : null;
    }

    private static Map<String, Double> numbers(JsonNode obj) {
        Map<String, Double> m = new LinkedHashMap<>();
        obj.fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) m.put(e.getKey(), e.getValue().asDouble());
        });
        return m;
    }

    /** Where each vCPU was pinned; {@code cpus_allowed} is -1 when the thread may run on more than one CPU. */
    private static Map<String, Double> perfMetrics(JsonNode perf) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (!perf.isObject()) return m;
        m.put("service_cpu", perf.path("service_cpu").asDouble(-1));
        m.put("realtime_vcpus", perf.path("realtime_vcpus").asBoolean(false) ? 1.0 : 0.0);
        // guest RAM on 2 MiB hugepages (1) or normal pages (0); why not is the payload's perf.memory_fallback_reason
        m.put("hugepages", perf.path("hugepages").asBoolean(false) ? 1.0 : 0.0);
        for (JsonNode v : perf.path("vcpus")) {
            String k = "vcpu" + v.path("vcpu").asInt() + ".";
            m.put(k + "host_cpu", v.path("host_cpu").asDouble(-1));
            String allowed = v.path("cpus_allowed_list").asText("");
            m.put(k + "cpus_allowed", allowed.matches("\\d+") ? Double.parseDouble(allowed) : -1.0);
        }
        return m;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
