package dev.ktstr.results.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.results.LoadResult;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import dev.ktstr.results.SidecarFixtures;
import dev.ktstr.protocol.sidecar.Sidecar;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a compare report in headless Chromium and checks that the plots are really drawn: the
 * DOM after rendering holds the SVG elements, and the screenshot has the plot colours in it.
 * Needs the Debian package {@code chromium} (ops/setup.sh installs it); fails, not skips, without it.
 * The report and screenshot stay in {@code target*}/html-report-it/ for a human to look at.
 */
class HtmlReportIT {
    static Path out;

    @TempDir
    Path root;

    @BeforeAll
    static void outDir() throws Exception {
        Path classes = Path.of(HtmlReportIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        out = classes.getParent().resolve("html-report-it");
        Files.createDirectories(out);
    }

    @Test
    void reportRendersWithPlotsInHeadlessChromium() throws Exception {
        RunStore store = RunStore.open(root);
        List<Sidecar> base = new ArrayList<>(SidecarFixtures.gauntlet(1));
        base.add(Sidecar.builder("numa_spread").topology("2n2l2c1t").scheduler("scx_qmap").kernelVersion("6.12.117")
                .projectCommit("9e4d7fe").skipped("needs 2 NUMA nodes; worker has 1").build());
        RunDir a = SidecarFixtures.writeRun(store, base);
        List<Sidecar> bad = new ArrayList<>();
        for (Sidecar s : base.subList(0, 6)) {
            bad.add(SidecarFixtures.doctor(s));
        }
        bad.set(5, bad.get(5).toBuilder().failed("stuck 4500ms on cpu1 at +3200ms (threshold 3000ms)").build());
        bad.add(base.get(6));
        RunDir b = SidecarFixtures.writeRun(store, bad);
        List<LoadResult> parts = List.of(a.load(), b.load());
        CompareReport report = CompareEngine.compare(LoadResult.concat(parts), CompareOptions.runs(a.id(), b.id()));
        assertThat(report.hasRegression()).isTrue();

        String html = HtmlReport.render(report);
        // self-contained: no scripts, no external stylesheets, images or fonts
        assertThat(Pattern.compile("<script|<link|(src|href)=\"|url\\(").matcher(html).find())
                .as("external resource or script in the report").isFalse();
        Path file = out.resolve("report.html");
        Files.writeString(file, html, StandardCharsets.UTF_8);

        String dom = chromium(file, "--dump-dom");
        assertThat(count(dom, "<svg[^>]*class=\"ktstr-chart\"[^>]*data-kind=\"latency\"")).isEqualTo(5);
        assertThat(count(dom, "<polyline class=\"series\"")).isEqualTo(5 * 4); // 2 cgroups × A/B per pair
        assertThat(count(dom, "<rect class=\"bar\"")).isGreaterThanOrEqualTo(15);
        assertThat(count(dom, "<g class=\"cell\"")).isEqualTo(4 * 3); // tests × topologies
        assertThat(count(dom, "<title>pipe_pingpong @ 1n2l2c1t: A passed, B failed</title>")).isEqualTo(1);
        assertThat(count(dom, "A skipped, B skipped")).isEqualTo(2); // matrix cell + excluded list
        assertThat(dom).contains("regression(s) in 5 compared pair(s)");

        Path png = out.resolve("report.png");
        Files.deleteIfExists(png);
        chromium(file, "--screenshot=" + png, "--window-size=1200,3600");
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).as("screenshot " + png).isNotNull();
        assertThat(img.getWidth()).isEqualTo(1200);
        int red = 0;
        int green = 0;
        int blue = 0;
        int orange = 0;
        int nonWhite = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, bl = rgb & 0xff;
                if (r < 245 || g < 245 || bl < 245) {
                    nonWhite++;
                }
                if (near(r, g, bl, 0xd6, 0x27, 0x28)) {
                    red++;
                } else if (near(r, g, bl, 0x2c, 0xa0, 0x2c)) {
                    green++;
                } else if (near(r, g, bl, 0x1f, 0x77, 0xb4)) {
                    blue++;
                } else if (near(r, g, bl, 0xff, 0x7f, 0x0e)) {
                    orange++;
                }
            }
        }
        System.out.printf("screenshot %s: %dx%d non-white=%d red=%d green=%d blue=%d orange=%d%n", png,
                img.getWidth(), img.getHeight(), nonWhite, red, green, blue, orange);
        assertThat(red).as("regression bars and failed cells").isGreaterThan(2000);
        assertThat(green).as("passed cells").isGreaterThan(2000);
        assertThat(blue).as("cg_0 latency curves").isGreaterThan(1000);
        assertThat(orange).as("cg_1 latency curves").isGreaterThan(1000);
        assertThat(nonWhite).isGreaterThan(img.getWidth() * img.getHeight() / 50);
    }

    private static boolean near(int r, int g, int b, int er, int eg, int eb) {
        return Math.abs(r - er) < 30 && Math.abs(g - eg) < 30 && Math.abs(b - eb) < 30;
    }

    private static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Runs headless Chromium on a file URL; returns stdout. Kills it (and its helpers) on timeout. */
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

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
