package dev.ktstr.cli.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunInfo;
import dev.ktstr.results.RunStore;
import dev.ktstr.protocol.sidecar.HostContext;
import dev.ktstr.protocol.sidecar.MonitorSummary;
import dev.ktstr.protocol.sidecar.PhaseTimings;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCgroup;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import dev.ktstr.protocol.sidecar.SidecarStats;
import dev.ktstr.protocol.sidecar.WakeLatencyHistograms;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The stats commands end to end on generated runs: output, exit codes, files. */
class StatsCommandTest {
    @TempDir
    Path root;

    record Result(int exit, String out, String err) {}

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new StatsCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        // --runs-dir belongs to each subcommand that reads runs (list-metrics reads none)
        if (all.isEmpty() || !all.get(0).equals("list-metrics")) {
            all.add(all.isEmpty() || all.get(0).startsWith("-") ? 0 : 1, "--runs-dir=" + root);
        }
        int exit = cl.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    /** p99 multiplies wake latencies at or above the 95th percentile; gap scales the worst gap. */
    static Sidecar variant(String test, String topo, long seed, double tailFactor, double gapMs) {
        Random rnd = new Random(seed);
        Histogram h = WakeLatencyHistograms.newHistogram();
        for (int i = 0; i < 10_000; i++) {
            long v = (long) (40_000 * Math.exp(rnd.nextGaussian() * 0.5));
            h.recordValue(v);
        }
        long p95 = h.getValueAtPercentile(95);
        Histogram d = WakeLatencyHistograms.newHistogram();
        h.recordedValues().forEach(v -> d.recordValueWithCount(v.getValueIteratedTo() >= p95
                ? (long) (v.getValueIteratedTo() * tailFactor) : v.getValueIteratedTo(), v.getCountAtValueIteratedTo()));
        double p99 = d.getValueAtPercentile(99) / 1000.0;
        double med = d.getValueAtPercentile(50) / 1000.0;
        double cv = d.getStdDeviation() / d.getMean();
        SidecarCgroup cg = new SidecarCgroup("cg_0", 2, 2, 10, 8, 12, 4, gapMs, 0, 10, 0.001, p99, med, cv, 9000, 20, 300,
                1, 0, p99 / med, 4500, Map.of(), d.getTotalCount(), WakeLatencyHistograms.encode(d));
        SidecarStats st = new SidecarStats(List.of(cg), 2, 2, 10, 4, gapMs, 0, 0.001, p99, med, cv, 9000, 20, 300, 1, 0,
                p99 / med, 4500, Map.of());
        return Sidecar.builder(test).topology(topo).scheduler("scx_qmap").kernelVersion("6.12.117")
                .projectCommit("9e4d7fe").stats(st).monitor(new MonitorSummary(50, 1.1, 2, 0, 1, 1, true, "monitor OK"))
                .host(new HostContext("h", "cpu", "GenuineIntel", 1L, 0L, 0L, 2048L, null, null, Map.of(), 2, 1, Map.of(),
                        "Linux", "6.1", "amd64", "", "17"))
                .accelerator("tcg").workerNode("local").phases(PhaseTimings.basic(2000L, 1000L, 4000L, 100L)).build();
    }

    static List<Sidecar> gauntlet(double tailFactor, double gapFactor) {
        List<Sidecar> out = new ArrayList<>();
        long seed = 1;
        for (String t : List.of("cpuset_split", "pipe_pingpong")) {
            for (String topo : List.of("1n1l2c1t", "1n2l2c1t")) {
                out.add(variant(t, topo, seed++, tailFactor, 200 * gapFactor));
            }
        }
        return out;
    }

    RunDir write(List<Sidecar> sidecars) throws Exception {
        RunDir r = RunStore.open(root).newRun(RunInfo.of("6.12.117", "9e4d7fe"));
        for (Sidecar s : sidecars) {
            r.write(s);
        }
        return r;
    }

    @Test
    void listShowsBothRunsAndCompareGatesRegressions() throws Exception {
        RunDir a = write(gauntlet(1, 1));
        RunDir b = write(gauntlet(3, 4));
        Result list = run("list");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains(a.id(), b.id(), "RUN", "TESTS");

        Result self = run("compare", "--runs", a.id(), a.id(), "--no-color");
        assertThat(self.exit()).as(self.err()).isZero();
        assertThat(self.out()).contains("4 pair(s) compared: 0 regression(s)").endsWith("no regression\n");

        Result bad = run("compare", "--runs", a.id(), b.id(), "--no-color");
        assertThat(bad.exit()).as(bad.err()).isEqualTo(1);
        assertThat(bad.out()).contains("worst_p99_wake_latency_us (us)", "worst_gap_ms (ms)", "regression")
                .endsWith("REGRESSION\n");

        Result json = run("compare", "--runs", a.id(), b.id(), "--format", "json");
        assertThat(json.exit()).isEqualTo(1);
        assertThat(json.out()).contains("\"regression\" : true", "\"metric\" : \"worst_gap_ms\"");

        Path html = root.resolve("report.html");
        Result h = run("compare", "--runs", a.id(), b.id(), "--format", "html", "-o", html.toString());
        assertThat(h.exit()).isEqualTo(1);
        assertThat(h.err()).contains("REGRESSION", html.toString());
        assertThat(Files.readString(html)).contains("<svg", "data-kind=\"latency\"", "data-kind=\"matrix\"");

        Result lax = run("compare", "--runs", a.id(), b.id(), "--threshold", "1000");
        assertThat(lax.exit()).isZero();
    }

    @Test
    void perSideFiltersAndUsageErrors() throws Exception {
        write(gauntlet(1, 1));
        Result none = run("compare");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("specify at least one per-side filter");
        Result both = run("compare", "--a-kernel", "6.12", "--b-kernel", "6.13", "--threshold", "5", "--policy", "p.json");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        Result empty = run("compare", "--a-kernel", "6.12", "--b-kernel", "6.13");
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("side B (kernel=6.13) matched no readable sidecar");
        Result unknown = run("compare", "--runs", "nope", "nope2");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no run 'nope'", "ktstr stats list");
    }

    @Test
    void corruptFilesAreReportedWithTheirPathAndSkipped() throws Exception {
        RunDir a = write(gauntlet(1, 1));
        RunDir b = write(gauntlet(1, 1));
        Path broken = b.path().resolve("broken-0000000000000000.ktstr.json");
        Files.writeString(broken, "{\"schema_version\": 1, \"test_name\": \"x\", \"passed\": tr");
        Files.writeString(b.path().resolve("other.ktstr.json"), "{\"hello\": \"world\"}");
        Result cmp = run("compare", "--runs", a.id(), b.id(), "--no-color");
        assertThat(cmp.exit()).as(cmp.err()).isZero();
        assertThat(cmp.out()).contains("corrupt sidecars (2)", broken.toString(), "truncated");
        Result explain = run("explain-sidecar", "--run", b.id());
        assertThat(explain.exit()).isZero();
        assertThat(explain.out()).contains("walked 6 sidecar file(s), parsed 4 valid", "corrupt sidecars (2):",
                "scheduler_commit", "expected");
        Result explainJson = run("explain-sidecar", "--run", b.id(), "--json");
        assertThat(explainJson.out()).contains("\"_schema_version\" : \"1\"", "\"walked\" : 6", "\"valid\" : 4");
        Result summary = run();
        assertThat(summary.exit()).isZero();
        assertThat(summary.out()).contains("run " + b.id(), "4 variant(s): 4 passed", "corrupt sidecars (2)");
    }

    @Test
    void everySubcommandNamesUnreadableFilesAndCarriesOnWithTheRest() throws Exception {
        List<Sidecar> same = gauntlet(1, 1); // one timestamp: b's copies are identical duplicates for merge
        RunDir a = write(same);
        RunDir b = write(same);
        byte[] good = Files.readAllBytes(b.sidecarFiles().get(0));
        Path truncated = b.path().resolve("trunc-0000000000000000.ktstr.json");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
        Path foreign = b.path().resolve("package.ktstr.json");
        Files.writeString(foreign, "{\"name\": \"left-pad\", \"version\": \"1.3.0\"}");
        Path garbage = b.path().resolve("garbage.ktstr.json");
        Files.write(garbage, new byte[] {0, 1, 2, (byte) 0xff, '{'});
        Path meta = a.path().resolve("run.json");
        Files.writeString(meta, "{\"schema_version\": 1, \"run_id\": ");
        List<String> broken = List.of(truncated.toString(), foreign.toString(), garbage.toString());

        Result list = run("list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains(a.id(), b.id(), "4 file(s) could not be read", meta.toString(),
                "unusable run metadata").contains(broken);
        Result values = run("list-values");
        assertThat(values.exit()).isZero();
        assertThat(values.out()).contains("1n1l2c1t").contains(broken);
        Result valuesJson = run("list-values", "--json");
        assertThat(valuesJson.exit()).isZero();
        assertThat(SidecarCodec.mapper().readTree(valuesJson.out()).path("topology").size()).isEqualTo(2);
        assertThat(valuesJson.err()).contains(broken);
        Result host = run("show-host", "--run", b.id());
        assertThat(host.exit()).as(host.err()).isZero();
        assertThat(host.out()).contains("GenuineIntel").contains(broken);
        Result explain = run("explain-sidecar", "--run", b.id());
        assertThat(explain.exit()).isZero();
        assertThat(explain.out()).contains("parsed 4 valid").contains(broken);
        Result summary = run("--run", b.id());
        assertThat(summary.exit()).isZero();
        assertThat(summary.out()).contains("4 variant(s): 4 passed").contains(broken);
        for (String format : List.of("table", "json")) {
            Result cmp = run("compare", "--runs", a.id(), b.id(), "--format", format, "--no-color");
            assertThat(cmp.exit()).as(format + ": " + cmp.err()).isZero();
            assertThat(cmp.out()).as(format).contains(meta.toString()).contains(broken);
        }
        Path html = root.resolve("report.html");
        Result cmpHtml = run("compare", "--runs", a.id(), b.id(), "--format", "html", "-o", html.toString());
        assertThat(cmpHtml.exit()).as(cmpHtml.err()).isZero();
        assertThat(Files.readString(html)).contains("Unreadable sidecars (skipped) (4)").contains(broken);
        Result merge = run("merge", a.id(), b.id(), "--into", "merged");
        assertThat(merge.exit()).as(merge.err()).isZero();
        assertThat(merge.out()).contains("4 variant(s), 4 identical duplicate(s)");
        assertThat(merge.err()).contains("skipped unreadable").contains(broken);
        RunDir merged = RunStore.open(root).require("merged");
        assertThat(merged.load().problems()).isEmpty();
        assertThat(merged.sidecarFiles()).hasSize(4);
    }

    @Test
    void mergeListValuesShowHostAndMetrics() throws Exception {
        List<Sidecar> all = gauntlet(1, 1);
        RunDir s0 = write(all.subList(0, 2));
        RunDir s1 = write(all.subList(1, 4));
        Result m = run("merge", s0.id(), s1.path().toString(), "--into", "merged");
        assertThat(m.exit()).as(m.err()).isZero();
        assertThat(m.out()).contains("into merged: 4 variant(s), 1 identical duplicate(s)");
        RunDir conflicting = write(List.of(all.get(0).toBuilder().failed("stuck").build()));
        Result c = run("merge", s0.id(), conflicting.id());
        assertThat(c.exit()).isEqualTo(1);
        assertThat(c.err()).contains("refusing to merge", "cpuset_split", "differ in");

        Result values = run("list-values", "--json");
        assertThat(values.out()).contains("\"topology\" : [ \"1n1l2c1t\", \"1n2l2c1t\" ]", "\"kernel_commit\" : [ null ]");
        Result host = run("show-host", "--run", "merged");
        assertThat(host.exit()).isZero();
        assertThat(host.out()).contains("cpu_vendor:", "GenuineIntel");
        Result metrics = run("list-metrics");
        assertThat(metrics.out().lines().count()).isEqualTo(20);
        assertThat(run("list-metrics", "--json").out()).contains("\"name\" : \"worst_cross_node_migration_ratio\"");
    }
}
