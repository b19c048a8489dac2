package dev.ktstr.cli.test;

import dev.ktstr.results.ProjectCommit;
import dev.ktstr.coordinator.testrun.TestRunOptions;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What to run and how to plan it: the options {@code ktstr test} (local mode) and
 * {@code ktstr coordinator} (cluster mode) share, since both plan through the same
 * {@link dev.ktstr.coordinator.testrun.TestRun}.
 */
public final class PlanOptions {

    @Parameters(paramLabel = "PATH", description = "Jars or class directories holding the tests (e.g. examples/target/test-classes).")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--classpath", paramLabel = "CP", description = "Colon-separated jars/directories, added to PATH.")
    String classpath;

    @Option(names = "-E", paramLabel = "FILTER", description = "Only variants whose name contains FILTER (or matches re:REGEX). Repeatable.")
    List<String> filters = new ArrayList<>();

    @Option(names = "--kernel", paramLabel = "ID", description = "Kernel: image path, tree, version or cache key (resolved on this host;"
            + " workers get it from here). Repeat for multi-kernel runs. Default: discovery chain.")
    public List<String> kernels = new ArrayList<>();

    @Option(names = "--list", description = "Print variant names (NAME: test) and exit.")
    boolean list;

    @Option(names = "--gauntlet", description = "Also run gauntlet variants: topology presets x scheduler flag profiles.")
    boolean gauntlet;

    @Option(names = "--budget-secs", paramLabel = "N", description = "Pick the variants that cover the most configurations within N seconds (also KTSTR_BUDGET_SECS);"
            + " `none` runs every variant whatever KTSTR_BUDGET_SECS says.")
    String budgetSecs;

    @Option(names = "--partition", paramLabel = "hash:M/N", description = "Run only shard M of N (stable hash of the variant name), for CI fan-out.")
    public String partition;

    @Option(names = "--overcommit", paramLabel = "N", defaultValue = "1",
            description = "Allow gauntlet presets with up to N vCPUs per CPU of this host (TCG hosts are small; presets are chosen"
                    + " before any worker joins); recorded in results. Default: ${DEFAULT-VALUE}.")
    int overcommit;

    @Option(names = "--include-ignored", description = "Also run demo_* tests.")
    boolean includeIgnored;

    @Option(names = "--runs-dir", paramLabel = "DIR", description = "Runs root for sidecars and journals (default: $KTSTR_RUNS_DIR or target/ktstr-runs).")
    public Path runsDir;

    @Option(names = "--timeout", paramLabel = "SECS", description = "Host deadline per VM (default: 240 + 10 x durationS + 8 x vCPUs).")
    public Integer timeoutSecs;

    @Option(names = "--replicas", paramLabel = "N", description = "Run every variant N times, each its own VM and sidecar"
            + " (overrides @KtstrTest(replicas)); `ktstr stats compare` needs several per side to tell a change from noise.")
    public Integer replicas;

    /** PATH... plus the --classpath entries; empty when the user named no tests. */
    public List<Path> roots() {
        List<Path> roots = new ArrayList<>(paths);
        if (classpath != null) {
            for (String p : classpath.split(File.pathSeparator)) if (!p.isBlank()) roots.add(Path.of(p));
        }
        return roots;
    }

    public TestRunOptions toRunOptions(int slots) {
        return new TestRunOptions(roots(), gauntlet, filters, budgetSecs, partition, overcommit, list, includeIgnored, runsDir,
                slots, timeoutSecs == null ? null : Duration.ofSeconds(timeoutSecs), ProjectCommit.detect(Path.of("").toAbsolutePath()), null, replicas);
    }
}
