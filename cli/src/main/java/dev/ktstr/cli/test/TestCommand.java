package dev.ktstr.cli.test;

import dev.ktstr.coordinator.results.ProjectCommit;
import dev.ktstr.coordinator.testrun.TestRun;
import dev.ktstr.coordinator.testrun.TestRunOptions;
import dev.ktstr.junit.local.LocalVmEnvironment;
import dev.ktstr.vmm.qemu.AccelMode;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ktstr test}: discovers {@code @KtstrTest} methods and runs each variant in its own VM (local mode). */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = {"Run @KtstrTest methods, each in its own VM with its own topology (local mode: coordinator and",
                "worker in this JVM). Prints one line per variant and the failure report of each failure;",
                "writes one sidecar per variant under the runs directory. Exits 1 if anything failed."})
public final class TestCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", description = "Jars or class directories holding the tests (e.g. examples/target/test-classes).")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--classpath", paramLabel = "CP", description = "Colon-separated jars/directories, added to PATH.")
    String classpath;

    @Option(names = "-E", paramLabel = "FILTER", description = "Only variants whose name contains FILTER (or matches re:REGEX). Repeatable.")
    List<String> filters = new ArrayList<>();

    @Option(names = "--kernel", paramLabel = "ID", description = "Kernel: image path, tree, version or cache key. Repeat for multi-kernel runs. Default: discovery chain.")
    List<String> kernels = new ArrayList<>();

    @Option(names = "--list", description = "Print variant names (NAME: test) and exit.")
    boolean list;

    @Option(names = "--gauntlet", description = "Also run gauntlet variants: topology presets x scheduler flag profiles.")
    boolean gauntlet;

    @Option(names = "--budget-secs", paramLabel = "N", description = "Pick the variants that cover the most configurations within N seconds (also KTSTR_BUDGET_SECS).")
    String budgetSecs;

    @Option(names = "--partition", paramLabel = "hash:M/N", description = "Run only shard M of N (stable hash of the variant name), for CI fan-out.")
    String partition;

    @Option(names = "--overcommit", paramLabel = "N", defaultValue = "1",
            description = "Allow gauntlet presets with up to N vCPUs per host CPU (TCG hosts are small); recorded in results. Default: ${DEFAULT-VALUE}.")
    int overcommit;

    @Option(names = "--include-ignored", description = "Also run demo_* tests.")
    boolean includeIgnored;

    @Option(names = "--runs-dir", paramLabel = "DIR", description = "Runs root for sidecars and the journal (default: $KTSTR_RUNS_DIR or target/ktstr-runs).")
    Path runsDir;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "0", description = "Concurrent VMs (0 = one per two host CPUs).")
    int slots;

    @Option(names = "--timeout", paramLabel = "SECS", description = "Host deadline per VM (default: 240 + 10 x durationS + 8 x vCPUs).")
    Integer timeoutSecs;

    @Option(names = "--accel", paramLabel = "kvm|tcg|auto", defaultValue = "auto", description = "Accelerator (auto: KVM only where it can boot a guest). Default: ${DEFAULT-VALUE}.")
    String accel;

    @Option(names = "--guest-log", description = "Print the guest agent's log lines live.")
    boolean guestLog;

    @Option(names = "--no-perf-mode", description = "Turn performance mode off (also KTSTR_NO_PERF_MODE): tests that require it are skipped.")
    boolean noPerfMode;

    @Override
    public Integer call() throws Exception {
        List<Path> roots = new ArrayList<>(paths);
        if (classpath != null) {
            for (String p : classpath.split(File.pathSeparator)) if (!p.isBlank()) roots.add(Path.of(p));
        }
        if (roots.isEmpty()) {
            System.err.println("ktstr test: name the jars or class directories that hold @KtstrTest classes,"
                    + " e.g. `bin/ktstr test examples/target/test-classes`");
            return 2;
        }
        if (noPerfMode) System.setProperty(dev.ktstr.worker.vm.VmJobExecutor.NO_PERF_MODE_PROPERTY, "true");
        LocalVmEnvironment env = new LocalVmEnvironment(kernels, AccelMode.parse(accel),
                guestLog ? line -> System.err.println("  guest: " + line) : null, System.err);
        TestRunOptions options = new TestRunOptions(roots, gauntlet, filters, budgetSecs, partition, overcommit, list,
                includeIgnored, runsDir, slots, timeoutSecs == null ? null : Duration.ofSeconds(timeoutSecs),
                ProjectCommit.detect(Path.of("").toAbsolutePath()), null);
        TestRun.Result r = new TestRun(options, env, System.out, System.err).run(null);
        return r.allPassed() ? 0 : 1;
    }
}
