package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;

/**
 * The result file of one test variant in one run (spec §8.2 plus accelerator, worker node and
 * phase timings). A sidecar is a stable file format that outlives this code: it depends on no
 * scenario or coordinator type, and {@link #SCHEMA_VERSION} changes whenever a field changes meaning.
 * Writers emit every key (null for absent values); see {@code sidecar.schema.json}.
 *
 * @param variantId   the coordinator's variant id (test × topology × scheduler × flags × kernel), free text
 * @param reason      why a variant was skipped or failed (first failing detail, infrastructure error, ...); null when it passed
 * @param stats       null when no scenario produced statistics (skipped before boot, infrastructure failure)
 * @param accelerator "kvm" or "tcg"; null when no VM was started
 * @param workerNode  cluster member (host:port or name) that ran the VM
 * @param timestamp   ISO-8601 instant the variant finished
 * @param runSource   "local" or "ci" (KTSTR_CI set)
 * @param replica     which run of a replicated variant this is (1-based, {@code @KtstrTest(replicas = N)} or
 *                    {@code ktstr test --replicas N}); null for a variant run once. Replicas share the test name and
 *                    every identity field, so {@code stats compare} groups them as one variant's samples
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Sidecar(int schemaVersion, String runId, String testName, String variantId, String topology,
                      String scheduler, String schedulerCommit, String projectCommit, String kernelVersion,
                      String kernelCommit, String payload, String workType, List<String> activeFlags,
                      List<String> sysctls, List<String> kargs, boolean passed, boolean skipped, String reason,
                      List<SidecarDetail> details, SidecarStats stats, MonitorSummary monitor,
                      List<PayloadMetrics> metrics, List<StimulusEvent> stimulusEvents,
                      List<VerifierStat> verifierStats, KvmStats kvmStats, HostContext host, String timestamp,
                      String runSource, String accelerator, String workerNode, PhaseTimings phases,
                      Long cleanupDurationMs, boolean inconclusive, Integer replica) {

    public static final int SCHEMA_VERSION = 1;

    public Sidecar {
        activeFlags = listOrEmpty(activeFlags);
        sysctls = listOrEmpty(sysctls);
        kargs = listOrEmpty(kargs);
        details = listOrEmpty(details);
        metrics = listOrEmpty(metrics);
        stimulusEvents = listOrEmpty(stimulusEvents);
        verifierStats = listOrEmpty(verifierStats);
        if (phases == null) {
            phases = PhaseTimings.none();
        }
    }

    private static <T> List<T> listOrEmpty(List<T> l) {
        return l == null ? List.of() : List.copyOf(l);
    }

    /** The outcome as one word: passed, failed, inconclusive (the harness could not judge; {@code reason} says why) or skipped. */
    public String outcome() {
        return skipped ? "skipped" : passed ? "passed" : inconclusive ? "inconclusive" : "failed";
    }

    public Sidecar withRunId(String newRunId) {
        return toBuilder().runId(newRunId).build();
    }

    public static Builder builder(String testName) {
        return new Builder().testName(testName);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.schemaVersion = schemaVersion; b.runId = runId; b.testName = testName; b.variantId = variantId;
        b.topology = topology; b.scheduler = scheduler; b.schedulerCommit = schedulerCommit;
        b.projectCommit = projectCommit; b.kernelVersion = kernelVersion; b.kernelCommit = kernelCommit;
        b.payload = payload; b.workType = workType; b.activeFlags = new ArrayList<>(activeFlags);
        b.sysctls = new ArrayList<>(sysctls); b.kargs = new ArrayList<>(kargs); b.passed = passed;
        b.skipped = skipped; b.reason = reason; b.details = new ArrayList<>(details); b.stats = stats;
        b.monitor = monitor; b.metrics = new ArrayList<>(metrics); b.stimulusEvents = new ArrayList<>(stimulusEvents);
        b.verifierStats = new ArrayList<>(verifierStats); b.kvmStats = kvmStats; b.host = host;
        b.timestamp = timestamp; b.runSource = runSource; b.accelerator = accelerator; b.workerNode = workerNode;
        b.phases = phases; b.cleanupDurationMs = cleanupDurationMs; b.inconclusive = inconclusive;
        b.replica = replica;
        return b;
    }

    /** Fluent builder; defaults: scheduler "eevdf", run source "local", passed; work type unknown (null) until set. */
    public static final class Builder {
        private int schemaVersion = SCHEMA_VERSION;
        private String runId;
        private String testName;
        private String variantId;
        private String topology;
        private String scheduler = "eevdf";
        private String schedulerCommit;
        private String projectCommit;
        private String kernelVersion;
        private String kernelCommit;
        private String payload;
        private String workType;
        private List<String> activeFlags = new ArrayList<>();
        private List<String> sysctls = new ArrayList<>();
        private List<String> kargs = new ArrayList<>();
        private boolean passed = true;
        private boolean skipped;
        private boolean inconclusive;
        private Integer replica;
        private String reason;
        private List<SidecarDetail> details = new ArrayList<>();
        private SidecarStats stats;
        private MonitorSummary monitor;
        private List<PayloadMetrics> metrics = new ArrayList<>();
        private List<StimulusEvent> stimulusEvents = new ArrayList<>();
        private List<VerifierStat> verifierStats = new ArrayList<>();
        private KvmStats kvmStats;
        private HostContext host;
        private String timestamp;
        private String runSource = "local";
        private String accelerator;
        private String workerNode;
        private PhaseTimings phases = PhaseTimings.none();
        private Long cleanupDurationMs;

        private Builder() {}

        public Builder runId(String v) { runId = v; return this; }
        /** 1-based replica of a replicated variant; null (the default) for a variant run once. */
        public Builder replica(Integer v) {
            if (v != null && v < 1) throw new IllegalArgumentException("replica must be >= 1, got " + v);
            replica = v;
            return this;
        }
        public Builder testName(String v) { testName = v; return this; }
        public Builder variantId(String v) { variantId = v; return this; }
        public Builder topology(String v) { topology = v; return this; }
        public Builder scheduler(String v) { scheduler = v; return this; }
        public Builder schedulerCommit(String v) { schedulerCommit = v; return this; }
        public Builder projectCommit(String v) { projectCommit = v; return this; }
        public Builder kernelVersion(String v) { kernelVersion = v; return this; }
        public Builder kernelCommit(String v) { kernelCommit = v; return this; }
        public Builder payload(String v) { payload = v; return this; }
        public Builder workType(String v) { workType = v; return this; }
        public Builder activeFlags(List<String> v) { activeFlags = new ArrayList<>(v); return this; }
        public Builder sysctls(List<String> v) { sysctls = new ArrayList<>(v); return this; }
        public Builder kargs(List<String> v) { kargs = new ArrayList<>(v); return this; }
        public Builder details(List<SidecarDetail> v) { details = new ArrayList<>(v); return this; }
        public Builder stats(SidecarStats v) { stats = v; return this; }
        public Builder monitor(MonitorSummary v) { monitor = v; return this; }
        public Builder metrics(List<PayloadMetrics> v) { metrics = new ArrayList<>(v); return this; }
        public Builder stimulusEvents(List<StimulusEvent> v) { stimulusEvents = new ArrayList<>(v); return this; }
        public Builder verifierStats(List<VerifierStat> v) { verifierStats = new ArrayList<>(v); return this; }
        public Builder kvmStats(KvmStats v) { kvmStats = v; return this; }
        public Builder host(HostContext v) { host = v; return this; }
        public Builder timestamp(String v) { timestamp = v; return this; }
        public Builder runSource(String v) { runSource = v; return this; }
        public Builder accelerator(String v) { accelerator = v; return this; }
        public Builder workerNode(String v) { workerNode = v; return this; }
        public Builder phases(PhaseTimings v) { phases = v; return this; }
        public Builder cleanupDurationMs(Long v) { cleanupDurationMs = v; return this; }

        /** Marks the variant passed (clears any reason). */
        public Builder passed() { passed = true; skipped = false; inconclusive = false; reason = null; return this; }

        /** Marks the variant failed; {@code why} is the headline a reader sees first. */
        public Builder failed(String why) { passed = false; skipped = false; inconclusive = false; reason = why; return this; }

        /** Marks the variant inconclusive (passed = false: it did not pass); {@code why} says what could not be judged. */
        public Builder inconclusive(String why) { passed = false; skipped = false; inconclusive = true; reason = why; return this; }

        /** Marks the variant skipped (passed = true, as in the spec's AssertResult::skip). */
        public Builder skipped(String why) {
            passed = true; skipped = true; reason = why;
            details.add(new SidecarDetail("Skip", why));
            return this;
        }

        public Sidecar build() {
            if (testName == null || testName.isBlank()) {
                throw new IllegalStateException("a sidecar needs a test_name");
            }
            if (timestamp == null) {
                timestamp = java.time.Instant.now().toString();
            }
            return new Sidecar(schemaVersion, runId, testName, variantId, topology, scheduler, schedulerCommit,
                    projectCommit, kernelVersion, kernelCommit, payload, workType, activeFlags, sysctls, kargs,
                    passed, skipped, reason, details, stats, monitor, metrics, stimulusEvents, verifierStats,
                    kvmStats, host, timestamp, runSource, accelerator, workerNode, phases, cleanupDurationMs, inconclusive, replica);
        }
    }
}
