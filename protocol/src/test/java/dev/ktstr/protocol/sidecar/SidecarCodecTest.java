package dev.ktstr.protocol.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ktstr.protocol.metrics.MetricRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SidecarCodecTest {

    static Sidecar sample() {
        Histogram h = WakeLatencyHistograms.newHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 1000L);
        }
        SidecarCgroup cg = new SidecarCgroup("cg_0", 4, 2, 10, 5, 15, 10, 12.5, 1, 7, 0.01, 990, 500, 0.57,
                700, 30, 90, 1.0, 0.0, 1.98, 175, Map.of("x", 1.0), 1000, WakeLatencyHistograms.encode(h));
        SidecarStats st = new SidecarStats(List.of(cg), 4, 2, 7, 10, 12.5, 1, 0.01, 990, 500, 0.57, 700, 30, 90,
                1.0, 0.0, 1.98, 175, Map.of());
        return Sidecar.builder("cpusetSplit").runId("r1").topology("1n2l2c1t").scheduler("scx_qmap")
                .kernelVersion("6.12.117").projectCommit("abcdef1").activeFlags(List.of("b", "a"))
                .stats(st).monitor(new MonitorSummary(50, 1.5, 3, 0, 2, 1, true, "monitor OK"))
                .host(new HostContext("h", "cpu", "GenuineIntel", 1L, 0L, 0L, 2048L, "[always]", "madvise",
                        Map.of("sched_min_granularity_ns", "1"), 2, 1, Map.of(), "Linux", "6.1", "x86_64", "q", "17"))
                .accelerator("tcg").workerNode("local").phases(PhaseTimings.basic(2100L, 900L, 5000L, 100L))
                .timestamp("2026-11-22T05:00:00Z").build();
    }

    @Test
    void roundTripsAndValidates() throws Exception {
        Sidecar s = sample();
        byte[] bytes = SidecarCodec.toBytes(s);
        String json = new String(bytes, StandardCharsets.UTF_8);
        assertThat(json).contains("\"worst_p99_wake_latency_us\"", "\"wake_latency_hdr\"", "\"schema_version\" : 1",
                "\"agent_ready_ms\"", "\"kvm_stats\" : null");
        assertThat(SidecarCodec.validate(SidecarCodec.mapper().readTree(bytes))).isEmpty();
        assertThat(SidecarCodec.parse(bytes, "mem")).isEqualTo(s);
    }

    @Test
    void skippedSidecarValidates() throws Exception {
        Sidecar s = Sidecar.builder("t").skipped("needs 2 NUMA nodes; worker has 1").build();
        assertThat(s.passed()).isTrue();
        assertThat(SidecarCodec.validate(SidecarCodec.toTree(s))).isEmpty();
        assertThat(SidecarCodec.parse(SidecarCodec.toBytes(s), "m").reason()).contains("NUMA");
    }

    @Test
    void schemaCatchesWrongTypesAndMissingKeys() throws Exception {
        ObjectNode doc = (ObjectNode) SidecarCodec.toTree(sample());
        doc.put("passed", "yes");
        doc.remove("topology");
        doc.put("accelerator", "hvf");
        List<String> problems = SidecarCodec.validate(doc);
        assertThat(String.join("\n", problems)).contains("passed").contains("topology").contains("accelerator");
    }

    @Test
    void rejectsCorruptTruncatedAndForeign() {
        byte[] good = SidecarCodec.toBytes(sample());
        byte[] truncated = Arrays.copyOf(good, good.length / 2);
        assertThatThrownBy(() -> SidecarCodec.parse(truncated, "/x/t.ktstr.json"))
                .isInstanceOf(SidecarFormatException.class).hasMessageContaining("/x/t.ktstr.json")
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> SidecarCodec.parse("{\"name\":\"package.json\"}".getBytes(), "f"))
                .hasMessageContaining("schema_version");
        assertThatThrownBy(() -> SidecarCodec.parse("[1,2]".getBytes(), "f")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> SidecarCodec.parse("{\"schema_version\":99}".getBytes(), "f"))
                .hasMessageContaining("newer");
        assertThatThrownBy(() -> SidecarCodec.parse("{\"schema_version\":1,\"test_name\":\"x\"}".getBytes(), "f"))
                .hasMessageContaining("does not match the sidecar schema");
    }

    @Test
    void histogramRoundTripKeepsPercentiles() throws Exception {
        Sidecar s = sample();
        Histogram h = WakeLatencyHistograms.decode(s.stats().cgroups().get(0).wakeLatencyHdr());
        assertThat(h.getTotalCount()).isEqualTo(1000);
        assertThat(h.getValueAtPercentile(99)).isBetween(989_000L, 991_000L);
        assertThatThrownBy(() -> WakeLatencyHistograms.decode("!!notbase64")).isInstanceOf(SidecarFormatException.class);
    }

    @Test
    void variantFileNameIgnoresResultFieldsButNotIdentity() {
        Sidecar a = sample();
        Sidecar rerun = a.toBuilder().runId("r2").failed("boom").projectCommit("1234567").build();
        Sidecar otherTopo = a.toBuilder().topology("1n1l4c1t").build();
        Sidecar flagsReordered = a.toBuilder().activeFlags(List.of("a", "b")).build();
        assertThat(VariantKey.fileName(rerun)).isEqualTo(VariantKey.fileName(a)).endsWith(".ktstr.json")
                .startsWith("cpusetSplit-");
        assertThat(VariantKey.fileName(flagsReordered)).isEqualTo(VariantKey.fileName(a));
        assertThat(VariantKey.fileName(otherTopo)).isNotEqualTo(VariantKey.fileName(a));
    }

    @Test
    void replicasShareTheVariantHashButNeverAFileAndRoundTrip() throws Exception {
        Sidecar a = sample();
        Sidecar r1 = a.toBuilder().replica(1).build();
        Sidecar r2 = a.toBuilder().replica(2).build();
        assertThat(VariantKey.hash(r1)).isEqualTo(VariantKey.hash(r2)).isEqualTo(VariantKey.hash(a));
        assertThat(VariantKey.fileName(r2)).isEqualTo("cpusetSplit-" + VariantKey.hash(a) + "-r2.ktstr.json");
        assertThat(java.util.Set.of(VariantKey.fileName(a), VariantKey.fileName(r1), VariantKey.fileName(r2))).hasSize(3);
        Sidecar back = SidecarCodec.parse(SidecarCodec.toBytes(r2), "r2");
        assertThat(back.replica()).isEqualTo(2);
        assertThat(SidecarCodec.parse(SidecarCodec.toBytes(a), "a").replica()).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.toBuilder().replica(0))
                .hasMessageContaining("replica must be >= 1");
    }

    @Test
    void registryHasTheNineteenSpecMetrics() {
        assertThat(MetricRegistry.all()).hasSize(19);
        assertThat(MetricRegistry.byName("worst_gap_ms").orElseThrow().defaultAbs()).isEqualTo(500);
        assertThat(MetricRegistry.byName("total_iterations").orElseThrow().polarity().isRegression(200, 100)).isTrue();
        Sidecar s = sample();
        assertThat(MetricRegistry.byName("max_imbalance_ratio").orElseThrow().valueOf(s)).isEqualTo(1.5);
        Sidecar noMonitor = s.toBuilder().monitor(null).build();
        assertThat(MetricRegistry.byName("max_imbalance_ratio").orElseThrow().valueOf(noMonitor)).isNull();
        JsonNode unused = SidecarCodec.toTree(noMonitor);
        assertThat(unused.get("monitor").isNull()).isTrue();
    }
}
