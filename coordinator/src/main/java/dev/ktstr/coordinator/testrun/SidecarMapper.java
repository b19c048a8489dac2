package dev.ktstr.coordinator.testrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.coordinator.plan.Variant;
import dev.ktstr.host.HostContextProbe;
import dev.ktstr.protocol.guest.Stimulus;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.outcome.MonitorOutcome;
import dev.ktstr.protocol.outcome.PerfPinning;
import dev.ktstr.protocol.outcome.VmOutcome;
import dev.ktstr.protocol.outcome.VmRun;
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
import dev.ktstr.scenario.OpKind;
import dev.ktstr.scenario.TestConfig;
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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Turns one variant's result (its typed {@link VmOutcome}: guest verdict, worker reports, stimuli,
 * monitor, timings) and its resolved config into its sidecar. The guest's result and reports (scenario
 * JSON) that do not bind are recorded as a detail, never fatal. A fact that was not observed is
 * null, never a placeholder.
 *
 * <p>Every sidecar carries the host context of the worker that ran it (spec §8.2), so that
 * {@code stats compare} can name the host facts that differ. A worker that reports its own host
 * ({@link VmOutcome#host()}) is taken at its word; otherwise the worker ran in this JVM (local mode)
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
        VmOutcome out = r.outcome();
        List<SidecarDetail> details = new ArrayList<>();
        SidecarStats stats = null;
        List<StimulusEvent> stimuli = new ArrayList<>();
        List<WorkerReport> reports = out == null ? List.of() : reports(out, details);
        if (out != null && out.guestResult() != null) {
            try {
                AssertResult ar = json.treeToValue(out.guestResult(), AssertResult.class);
                for (AssertDetail d : ar.details()) details.add(new SidecarDetail(d.kind().name(), d.message()));
                stats = stats(ar.stats(), reports, details);
            } catch (Exception e) {
                details.add(new SidecarDetail("Other", "guest result did not parse: " + e.getMessage()));
            }
        }
        MonitorSummary monitor = null;
        List<PayloadMetrics> metrics = new ArrayList<>();
        if (out != null) {
            for (Stimulus st : out.stimuli()) stimuli.add(stimulusEvent(st));
            MonitorOutcome mon = out.monitor();
            if (mon != null) {
                monitor = mon.summary();
                for (String mv : mon.violations()) details.add(new SidecarDetail("MONITOR", mv));
                if (mon.schedDump() != null) details.add(new SidecarDetail("SCHED_DUMP", mon.schedDump()));
                if (!mon.metrics().isEmpty()) metrics.add(new PayloadMetrics("host_monitor", new LinkedHashMap<>(mon.metrics())));
            }
            Map<String, Double> perf = perfMetrics(out.perf());
            if (!perf.isEmpty()) metrics.add(new PayloadMetrics("performance_mode", perf));
            for (String p : out.channelProblems()) details.add(new SidecarDetail("CHANNEL", p));
            if (out.vm() != null) {
                for (VmRun.VmRetry retry : out.vm().retries()) {
                    details.add(new SidecarDetail("VM_RETRY", "retried after " + retry.end().description() + " (" + retry.elapsedMs() + " ms)"));
                }
            }
        }
        HostContext host = host(r, out);
        Map<String, Long> t = r.phaseTimingsMs();
        PhaseTimings phases = new PhaseTimings(t.get("host_prepare"), t.get("qemu_start"), t.get("kernel_to_init"), t.get("agent_jvm"),
                t.get("boot"), t.get("agent_ready"), t.get("scheduler_attach"), t.get("worker_spawn"), t.get("scenario"),
                t.get("collection"), t.get("teardown"), t.get("total"));
        TestConfig config = o.entry() == null ? null : o.entry().config();
        String scheduler = config == null ? "eevdf" : config.scheduler().displayName();
        List<String> sysctls = config == null ? List.of()
                : config.scheduler().sysctls().stream().map(x -> "sysctl." + x.key() + "=" + x.value()).toList();
        List<String> kargs = config == null ? List.of() : config.scheduler().kargsFor(v.topology().totalCpus());
        int replica = dev.ktstr.coordinator.plan.Replicas.index(v.name());
        Sidecar.Builder b = Sidecar.builder(dev.ktstr.coordinator.plan.Replicas.variant(v.name()))
                .replica(replica == 0 ? null : replica)
                .runId(runId)
                .variantId(r.jobId())
                .topology(v.topology().render())
                .scheduler(scheduler)
                .projectCommit(commit)
                .kernelVersion(kernel.version())
                .kernelCommit(kernel.commit())
                .workType(workTypes(reports))
                .activeFlags(v.activeFlags())
                .sysctls(sysctls)
                .kargs(kargs)
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
                .cleanupDurationMs(t.get("teardown"))
                .verifierStats(verifierStats(out));
        if (r.status() == JobStatus.PASS) b.passed();
        else if (r.status() == JobStatus.SKIP) b.skipped(r.message());
        else if (r.status() == JobStatus.INCONCLUSIVE) b.inconclusive(r.message());
        else b.failed(r.status() + ": " + r.message());
        return b.build();
    }

    /**
     * The guest's STIMULUS frame as a sidecar event: kind "step" carries {@code elapsedMs},
     * {@code stepIndex}, {@code opCount}, {@code opKindMask} (bit {@code 1 << OpKind.ordinal()}),
     * {@code liveCgroups}, {@code workerCount} and {@code iterationsSum} in its attrs. Attributes
     * that are absent or not numbers stay null (guest input is untrusted).
     */
    static StimulusEvent stimulusEvent(Stimulus s) {
        Long elapsed = number(s.attrs().get("elapsedMs"));
        Long step = number(s.attrs().get("stepIndex"));
        Long mask = number(s.attrs().get("opKindMask"));
        Long ops = number(s.attrs().get("opCount"));
        Long cgroups = number(s.attrs().get("liveCgroups"));
        Long workers = number(s.attrs().get("workerCount"));
        List<String> kinds = new ArrayList<>();
        if (mask != null) {
            for (OpKind k : OpKind.values()) if ((mask & (1L << k.ordinal())) != 0) kinds.add(k.name());
        }
        List<String> counts = new ArrayList<>();
        if (ops != null) counts.add(ops + " ops");
        if (cgroups != null) counts.add(cgroups + " cgroups");
        if (workers != null) counts.add(workers + " workers");
        String label = s.detail() == null || s.detail().isEmpty() ? s.kind() : s.detail();
        return new StimulusEvent(elapsed == null ? 0 : elapsed, label, kinds.isEmpty() ? null : String.join("+", kinds),
                counts.isEmpty() ? null : String.join(", ", counts), number(s.attrs().get("iterationsSum")),
                step == null || step < 0 || step > Integer.MAX_VALUE ? null : step.intValue());
    }

    private static Long number(Object o) {
        return o instanceof Number n && !(o instanceof Double || o instanceof Float) ? n.longValue() : null;
    }

    /** The work types the workers ran, sorted and '+'-joined; null when no worker reported. */
    static String workTypes(List<WorkerReport> reports) {
        TreeSet<String> types = new TreeSet<>();
        for (WorkerReport w : reports) if (w.workType() != null && !w.workType().isBlank()) types.add(w.workType());
        return types.isEmpty() ? null : String.join("+", types);
    }

    private List<WorkerReport> reports(VmOutcome out, List<SidecarDetail> details) {
        List<WorkerReport> list = new ArrayList<>();
        for (JsonNode n : out.workerReports()) {
            try {
                list.add(json.treeToValue(n, WorkerReport.class));
            } catch (Exception e) {
                details.add(new SidecarDetail("Other", "worker report did not parse: " + e.getMessage()));
            }
        }
        return list;
    }

    /**
     * The worker's own report when it sent one, else this host, probed once per worker node. A
     * variant resolved before dispatch (no worker) gets this host too: in local mode the
     * coordinator and the worker share it.
     */
    private HostContext host(JobResult r, VmOutcome out) {
        if (out != null && out.host() != null) return out.host();
        String worker = r.workerNode() == null ? "" : r.workerNode();
        return hostByWorker.computeIfAbsent(worker, hostProbe);
    }

    private SidecarStats stats(ScenarioStats s, List<WorkerReport> reports, List<SidecarDetail> details) {
        if (s == null) return null;
        Map<String, Histogram> hist = new LinkedHashMap<>();
        Map<String, Long> samples = new LinkedHashMap<>();
        Map<String, List<WorkerReport>> byCgroup = new LinkedHashMap<>();
        for (WorkerReport w : reports) {
            byCgroup.computeIfAbsent(w.cgroup(), k -> new ArrayList<>()).add(w);
            try {
                samples.merge(w.cgroup(), w.wakeSampleTotal(), Long::sum);
                if (w.wakeLatencyHistogram() != null && !w.wakeLatencyHistogram().isEmpty()) {
                    hist.computeIfAbsent(w.cgroup(), k -> WakeLatencyHistograms.newHistogram())
                            .add(WakeLatencyHistograms.decode(w.wakeLatencyHistogram()));
                }
            } catch (SidecarFormatException e) {
                details.add(new SidecarDetail("Other", "worker wake-latency histogram unreadable: " + e.getMessage()));
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
                    samples.getOrDefault(c.cgroup(), 0L), h == null || h.getTotalCount() == 0 ? null : WakeLatencyHistograms.encode(h),
                    workTypes(byCgroup.getOrDefault(c.cgroup(), List.of()))));
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

    /** Where each vCPU was pinned; {@code cpus_allowed} is -1 when the thread may run on more than one CPU. */
    private static Map<String, Double> perfMetrics(PerfPinning perf) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (perf == null) return m;
        m.put("service_cpu", (double) perf.serviceCpu());
        m.put("realtime_vcpus", perf.realtimeVcpus() ? 1.0 : 0.0);
        // guest RAM on 2 MiB hugepages (1) or normal pages (0); why not is the outcome's perf.memoryFallbackReason
        m.put("hugepages", perf.hugepages() ? 1.0 : 0.0);
        for (PerfPinning.VcpuPin v : perf.vcpus()) {
            String k = "vcpu" + v.vcpu() + ".";
            m.put(k + "host_cpu", (double) v.hostCpu());
            String allowed = v.cpusAllowedList() == null ? "" : v.cpusAllowedList();
            m.put(k + "cpus_allowed", allowed.matches("\\d+") ? Double.parseDouble(allowed) : -1.0);
        }
        return m;
    }

    /**
     * The scheduler's programs with their verifier cost: struct_ops callbacks first (what a scheduler
     * developer watches), then any other program type it loaded, each in kernel id order.
     */
    static List<dev.ktstr.protocol.sidecar.VerifierStat> verifierStats(VmOutcome out) {
        if (out == null) return List.of();
        return out.bpfPrograms().stream()
                .sorted(java.util.Comparator.comparing((dev.ktstr.protocol.guest.BpfProgram p) -> !p.isStructOps())
                        .thenComparingInt(dev.ktstr.protocol.guest.BpfProgram::id))
                .map(p -> new dev.ktstr.protocol.sidecar.VerifierStat(p.name(), p.verifiedInsns(), p.type(), p.xlatedBytes()))
                .toList();
    }
}
