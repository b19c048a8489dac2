package dev.ktstr.examples.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunInfo;
import dev.ktstr.results.RunStore;
import dev.ktstr.results.stats.CompareEngine;
import dev.ktstr.results.stats.CompareOptions;
import dev.ktstr.results.stats.CompareReport;
import dev.ktstr.results.stats.CompareReport.MetricDelta;
import dev.ktstr.results.stats.CompareReport.Pair;
import dev.ktstr.results.stats.CompareReport.Verdict;
import dev.ktstr.results.stats.CompareText;
import dev.ktstr.results.stats.HostReport;
import dev.ktstr.results.stats.HtmlReport;
import dev.ktstr.results.stats.RunListing;
import dev.ktstr.results.stats.VariantGroup;
import dev.ktstr.protocol.metrics.MetricDef;
import dev.ktstr.protocol.metrics.MetricRegistry;
import dev.ktstr.protocol.sidecar.HostContext;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ktstr stats} over the sidecars the example suite wrote in this very build (surefire runs
 * the suite in VMs in {@code test}; this IT runs in {@code verify}): every sidecar matches the
 * protocol's JSON Schema and carries its host; the run is listed; a compare of the run against
 * itself finds nothing; a compare against a doctored copy (a latency and a gap metric x4) reports
 * exactly the regressions the gates imply and would exit 1; the HTML report of that compare is
 * rendered in headless Chromium, screenshotted, and its plots checked in the DOM and the pixels.
 *
 * <p>Inputs: {@code ktstr.runsDir} (the suite's runs root) and {@code ktstr.it.buildStarted} (UTC),
 * both set by examples/pom.xml. A build whose suite wrote no run (-Dktstr.skip, a budget that
 * selected nothing, a crash) fails here with the reason; -DskipITs skips the suite and this IT
 * together. The suite's directory is only read: copies and the doctored run live under
 * {@code target*}/suite-stats-it/, next to report.html and report.png for a human to look at.
 */
class SuiteRunStatsIT {
    /** The metrics the doctored copy multiplies by {@link #FACTOR}: a latency and a gap metric. */
    static final List<String> DOCTORED = List.of("worst_run_delay_us", "worst_gap_ms");
    static final double FACTOR = 4;

    static List<RunDir> suiteRuns;
    static RunDir real;
    static RunStore store;
    static RunDir doctored;
    static Path work;

    @BeforeAll
    static void findTheSuiteRunAndDoctorACopy() throws Exception {
        String dir = System.getProperty("ktstr.runsDir");
        String started = System.getProperty("ktstr.it.buildStarted");
        if (dir == null || started == null) {
            fail("ktstr.runsDir / ktstr.it.buildStarted are not set: run this IT through Maven "
                    + "(mvn -pl examples -am verify), which sets both in examples/pom.xml");
        }
        Instant buildStart;
        try {
            buildStart = Instant.parse(started);
        } catch (DateTimeParseException e) {
            throw new AssertionError("ktstr.it.buildStarted='" + started + "' is not an ISO instant (maven.build.timestamp.format)", e);
        }
        RunStore suiteStore = RunStore.open(Path.of(dir));
        // run.json timestamps have sub-second precision, the build timestamp whole seconds
        suiteRuns = suiteStore.runs().stream().filter(r -> !r.createdAt().isBefore(buildStart)).toList();
        if (suiteRuns.isEmpty()) {
            fail("the example suite wrote no run directory under " + suiteStore.root() + " in this build (started "
                    + buildStart + "; runs there: " + suiteStore.runs().stream().map(RunDir::id).toList() + "). "
                    + "Was it skipped (-Dktstr.skip=true, -Dtest=..., a KTSTR_BUDGET_SECS that selected nothing) or did it "
                    + "fail before writing sidecars (see the surefire output above)? Run the suite with this IT, or skip "
                    + "both with -DskipITs.");
        }
        real = suiteRuns.get(0); // newest
        assertThat(real.sidecarFiles()).as("sidecars of " + real.path()).isNotEmpty();

        Path classes = Path.of(SuiteRunStatsIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        work = classes.getParent().resolve("suite-stats-it");
        deleteTree(work);
        Path root = work.resolve("runs");
        for (RunDir r : suiteRuns) {
            copyRun(r.path(), root.resolve(r.id()));
        }
        store = RunStore.open(root);
        doctored = store.newRun(new RunInfo(real.meta().kernel(), real.meta().commit(), "local", Instant.now()));
        for (LoadedSidecar s : real.load().sidecars()) {
            doctored.write(doctor(s));
        }
    }

    /** Sidecars and run.json only: the suite's test jar and journal are not what stats reads. */
    static void copyRun(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from, 2)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.equals("run.json") || name.contains(".ktstr.")) {
                    Path t = to.resolve(from.relativize(p));
                    Files.createDirectories(t.getParent());
                    Files.copy(p, t);
                }
            }
        }
    }

    /** The same sidecar with the doctored statistics multiplied, run-wide and per cgroup. */
    static Sidecar doctor(LoadedSidecar s) throws Exception {
        ObjectNode t = (ObjectNode) SidecarCodec.toTree(s.sidecar());
        JsonNode st = t.get("stats");
        if (st instanceof ObjectNode stats) {
            DOCTORED.forEach(m -> scale(stats, m));
            for (JsonNode cg : stats.path("cgroups")) {
                scale((ObjectNode) cg, "worst_run_delay_us");
                scale((ObjectNode) cg, "max_gap_ms");
            }
        }
        // parse, not bind: the doctored file must still be a valid sidecar
        return SidecarCodec.parse(SidecarCodec.mapper().writeValueAsBytes(t), "doctored copy of " + s.path());
    }

    static void scale(ObjectNode n, String field) {
        JsonNode v = n.get(field);
        if (v != null && v.isNumber()) {
            n.put(field, v.asDouble() * FACTOR);
        }
    }

    @Test
    void everySidecarOfTheSuiteMatchesTheSchemaAndCarriesItsHost() throws Exception {
        String hostname = InetAddress.getLocalHost().getHostName();
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        int files = 0;
        for (RunDir r : suiteRuns) {
            List<String> invalid = new ArrayList<>();
            for (Path f : r.sidecarFiles()) {
                files++;
                List<String> problems = SidecarCodec.validate(SidecarCodec.mapper().readTree(f.toFile()));
                if (!problems.isEmpty()) {
                    invalid.add(f + ": " + problems);
                }
            }
            assertThat(invalid).as("sidecars of " + r.id() + " violating " + SidecarCodec.SCHEMA_RESOURCE).isEmpty();
            LoadResult lr = r.load();
            assertThat(lr.problems()).as("unreadable files in " + r.id()).isEmpty();
            for (LoadedSidecar s : lr.sidecars()) {
                HostContext h = s.sidecar().host();
                assertThat(h).as("host of " + s.path()).isNotNull();
                assertThat(h.hostname()).isEqualTo(hostname);
                assertThat(h.kernelRelease()).isEqualTo(release);
                assertThat(h.arch()).isEqualTo(System.getProperty("os.arch"));
                assertThat(h.onlineCpus()).isPositive();
                assertThat(h.totalMemoryKb()).isPositive();
                assertThat(s.sidecar().runId()).isEqualTo(r.id());
            }
        }
        System.out.printf("SuiteRunStatsIT: %d sidecar(s) in %d run(s) of this build, all valid%n", files, suiteRuns.size());

        String shown = HostReport.render(real.load()).orElseThrow(() -> new AssertionError("show-host found no host in " + real.id()));
        assertThat(shown).contains("host of " + real.id(), "hostname:", hostname, "kernel_release:", release, "sched_tunables:");
    }

    /**
     * Every passing variant that attached a BPF scheduler recorded its struct_ops programs with a
     * non-zero verifier cost (read in the guest with bpf(2)); the verifier compare of the run against
     * itself is clean and against a copy with one program's count x4 flags exactly that program.
     */
    @Test
    void schedulerVariantsCarryVerifierStatsAndTheCompareFlagsADoctoredGrowth() throws Exception {
        List<Sidecar> all = real.load().sidecars().stream().map(LoadedSidecar::sidecar).toList();
        List<Sidecar> bpf = all.stream().filter(s -> s.passed() && s.scheduler().startsWith("scx_")).toList();
        assertThat(bpf).as("passing scx_* variants in " + real.id() + " (the budget picks at least one scheduler test)").isNotEmpty();
        for (Sidecar s : bpf) {
            assertThat(s.verifierStats()).as("verifier stats of " + s.testName() + " (" + s.scheduler() + ")")
                    .anyMatch(v -> "struct_ops".equals(v.type()) && v.verifiedInsns() > 0);
        }
        List<dev.ktstr.results.stats.VerifierReport.Row> rows = dev.ktstr.results.stats.VerifierReport.rows(all);
        System.out.print(dev.ktstr.results.stats.VerifierReport.table(rows));
        assertThat(dev.ktstr.results.stats.VerifierReport.compare(rows, rows, 10))
                .noneMatch(dev.ktstr.results.stats.VerifierReport.Delta::grew);
        dev.ktstr.results.stats.VerifierReport.Row top = rows.stream()
                .max(Comparator.comparingLong(dev.ktstr.results.stats.VerifierReport.Row::verifiedInsns)).orElseThrow();
        List<dev.ktstr.results.stats.VerifierReport.Row> grown = rows.stream()
                .map(r -> r == top ? new dev.ktstr.results.stats.VerifierReport.Row(r.scheduler(), r.kernel(), r.program(), r.type(),
                        r.verifiedInsns() * 4, r.xlatedBytes(), r.topologies()) : r).toList();
        assertThat(dev.ktstr.results.stats.VerifierReport.compare(rows, grown, 10))
                .filteredOn(dev.ktstr.results.stats.VerifierReport.Delta::grew)
                .extracting(dev.ktstr.results.stats.VerifierReport.Delta::program).containsExactly(top.program());
    }

    @Test
    void listShowsTheSuiteRunsAndTheDoctoredCopy() throws Exception {
        String list = RunListing.render(store);
        System.out.print(list);
        for (RunDir r : suiteRuns) {
            assertThat(list).contains(r.id());
        }
        assertThat(list).contains(doctored.id(), "RUN", "TESTS").doesNotContain("could not be read");
        assertThat(store.runs()).hasSize(suiteRuns.size() + 1);
    }

    @Test
    void theRunComparedWithItselfHasNoRegression() throws Exception {
        CompareReport self = compare(real, real);
        assertThat(self.pairs()).as("passing variants of " + real.id()).isNotEmpty();
        assertThat(self.hasRegression()).isFalse();
        assertThat(self.pairs()).allSatisfy(p -> assertThat(p.deltas())
                .allSatisfy(d -> assertThat(d.delta()).as(p.key() + " " + d.metric()).isZero()));
        assertThat(self.hostDeltas()).isEmpty();
        assertThat(self.newInB()).isEmpty();
        assertThat(self.removedInB()).isEmpty();
        String table = CompareText.table(self, false, false);
        assertThat(table).endsWith("no regression\n").contains(self.pairs().size() + " pair(s) compared: 0 regression(s)");
        assertThat(exitCode(self)).isZero();
    }

    @Test
    void theDoctoredCopyRegressesExactlyWhereTheGatesSay() throws Exception {
        CompareReport r = compare(real, doctored);
        Set<String> expected = new TreeSet<>();
        for (Pair p : r.pairs()) {
            for (MetricDelta d : p.deltas()) {
                if (DOCTORED.contains(d.metric())) {
                    assertThat(d.b()).as(p.key() + " " + d.metric()).isCloseTo(d.a() * FACTOR, Offset.offset(1e-6 * Math.abs(d.a())));
                    MetricDef m = MetricRegistry.byName(d.metric()).orElseThrow();
                    // relative change is FACTOR-1 = 300 %, above every default gate: the absolute gate decides
                    if (Math.abs(d.a()) * (FACTOR - 1) >= m.defaultAbs()) {
                        expected.add(p.key() + " " + d.metric());
                    }
                } else {
                    assertThat(d.delta()).as("undoctored " + p.key() + " " + d.metric()).isZero();
                }
            }
        }
        Set<String> found = new TreeSet<>();
        r.pairs().forEach(p -> p.deltas().stream().filter(d -> d.verdict() == Verdict.REGRESSION)
                .forEach(d -> found.add(p.key() + " " + d.metric())));
        assertThat(expected).as("a doctored metric above its absolute gate in some passing variant of " + real.id()
                + " (the suite's sidecars give the test nothing to detect otherwise)").isNotEmpty();
        assertThat(found).isEqualTo(expected);
        assertThat(r.improvements()).isZero();
        assertThat(exitCode(r)).isEqualTo(1);

        String table = CompareText.table(r, false, false);
        System.out.print(table);
        assertThat(table).endsWith("REGRESSION\n").contains(r.regressions() + " regression(s)");
        for (String metric : found.stream().map(k -> k.substring(k.lastIndexOf(' ') + 1)).toList()) {
            assertThat(table).contains(metric);
        }
        assertThat(CompareText.json(r)).contains("\"regression\" : true", "\"metric\" : \"" + DOCTORED.get(0) + "\"");
    }

    @Test
    void theHtmlReportOfTheRealCompareDrawsItsPlotsInHeadlessChromium() throws Exception {
        CompareReport r = compare(real, doctored);
        String html = HtmlReport.render(r);
        Path file = work.resolve("report.html");
        Files.writeString(file, html, StandardCharsets.UTF_8);

        String dom = chromium(file, "--dump-dom");
        long metricsWithValues = MetricRegistry.all().stream().filter(m -> r.pairs().stream()
                .anyMatch(p -> p.deltas().stream().anyMatch(d -> d.metric().equals(m.name())))).count();
        long regressedMetrics = r.pairs().stream().flatMap(p -> p.deltas().stream())
                .filter(d -> d.verdict() == Verdict.REGRESSION).map(MetricDelta::metric).distinct().count();
        Set<String> cells = new TreeSet<>();
        Set<String> tests = new TreeSet<>();
        Set<String> topologies = new TreeSet<>();
        for (VariantGroup g : concat(r.groupsA(), r.groupsB())) {
            cells.add(g.first().testName() + " @ " + g.first().topology());
            tests.add(g.first().testName());
            topologies.add(String.valueOf(g.first().topology()));
        }
        long latencyPlots = Math.min(24, r.pairs().stream().filter(p -> !p.a().curves().isEmpty() || !p.b().curves().isEmpty()).count());
        assertThat(count(dom, "<svg[^>]*class=\"ktstr-chart\"[^>]*data-kind=\"delta\"")).isEqualTo(1);
        assertThat(count(dom, "<rect class=\"bar\"")).isEqualTo((int) metricsWithValues);
        assertThat(count(dom, "<rect class=\"bar\"[^>]*fill=\"#d62728\"")).isEqualTo((int) regressedMetrics);
        assertThat(count(dom, "<svg[^>]*class=\"ktstr-chart\"[^>]*data-kind=\"matrix\"")).isEqualTo(1);
        // the grid is tests x topologies; combinations no variant ran are drawn light ("not run")
        assertThat(count(dom, "<g class=\"cell\"")).isEqualTo(tests.size() * topologies.size());
        assertThat(count(dom, "<g class=\"cell\"><title>not run</title>")).isEqualTo(tests.size() * topologies.size() - cells.size());
        assertThat(count(dom, "<svg[^>]*class=\"ktstr-chart\"[^>]*data-kind=\"latency\"")).isEqualTo((int) latencyPlots);
        assertThat(dom).contains(r.regressions() + " regression(s) in " + r.pairs().size() + " compared pair(s)");
        for (String m : DOCTORED) {
            if (r.pairs().stream().anyMatch(p -> p.regressions() > 0 && p.deltas().stream()
                    .anyMatch(d -> d.metric().equals(m) && d.verdict() == Verdict.REGRESSION))) {
                assertThat(dom).contains("<td>" + m + "</td>");
            }
        }

        Path png = work.resolve("report.png");
        // tall enough for the whole page: table rows, the bar chart, every latency plot, the matrix
        int height = 1600 + 22 * (int) r.regressions() + 22 * (int) metricsWithValues + 330 * (int) latencyPlots + 30 * tests.size();
        chromium(file, "--screenshot=" + png, "--window-size=1200," + height);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).as("screenshot " + png).isNotNull();
        int red = 0;
        int green = 0;
        int nonWhite = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int cr = (rgb >> 16) & 0xff, cg = (rgb >> 8) & 0xff, cb = rgb & 0xff;
                if (cr < 245 || cg < 245 || cb < 245) {
                    nonWhite++;
                }
                if (near(cr, cg, cb, 0xd6, 0x27, 0x28)) {
                    red++;
                } else if (near(cr, cg, cb, 0x2c, 0xa0, 0x2c)) {
                    green++;
                }
            }
        }
        System.out.printf("SuiteRunStatsIT: report %s, screenshot %s: %dx%d non-white=%d red=%d green=%d%n", file, png,
                img.getWidth(), img.getHeight(), nonWhite, red, green);
        assertThat(img.getWidth()).isEqualTo(1200);
        assertThat(img.getHeight()).isEqualTo(height);
        // a regressed metric's bar is clipped at +300 %: ~380 x 16 px of red each
        assertThat(red).as("red regression bars in the screenshot").isGreaterThan(2000 * (int) regressedMetrics);
        assertThat(green).as("green halves of passed cells in the matrix").isGreaterThan(500);
        assertThat(nonWhite).as("drawn pixels").isGreaterThan(50_000);
    }

    static List<VariantGroup> concat(List<VariantGroup> a, List<VariantGroup> b) {
        List<VariantGroup> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static CompareReport compare(RunDir a, RunDir b) throws IOException {
        List<LoadResult> parts = new ArrayList<>();
        for (RunDir r : store.runs()) {
            if (r.id().equals(a.id()) || r.id().equals(b.id())) {
                parts.add(r.load());
            }
        }
        return CompareEngine.compare(LoadResult.concat(parts), CompareOptions.runs(a.id(), b.id()));
    }

    /** What `ktstr stats compare` exits with for this report (StatsCompareCommand: 0 clean, 1 regression). */
    static int exitCode(CompareReport r) {
        return r.hasRegression() ? 1 : 0;
    }

    static boolean near(int r, int g, int b, int er, int eg, int eb) {
        return Math.abs(r - er) < 30 && Math.abs(g - eg) < 30 && Math.abs(b - eb) < 30;
    }

    static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /**
     * Headless Chromium on a file URL; returns stdout. The same invocation as the coordinator's
     * HtmlReportIT (test code is not shared between modules). Kills it and its helpers on timeout.
     */
    static String chromium(Path html, String... extra) throws Exception {
        String exe = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new AssertionError("headless Chromium not found: install the Debian package "
                        + "'chromium' (ops/setup.sh does)"));
        Path profile = Files.createTempDirectory("ktstr-chromium-");
        try {
            List<String> cmd = new ArrayList<>(List.of(exe, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile));
            cmd.addAll(List.of(extra));
            cmd.add(html.toUri().toString());
            Path stdout = profile.resolve("stdout.txt");
            Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
                    .redirectError(profile.resolve("stderr.txt").toFile()).start();
            try {
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    throw new AssertionError("chromium did not finish within 120 s: " + cmd);
                }
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            assertThat(p.exitValue()).as("chromium exit; stderr: " + Files.readString(profile.resolve("stderr.txt")))
                    .isZero();
            return Files.readString(stdout);
        } finally {
            deleteTree(profile);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
