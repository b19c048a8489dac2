package dev.ktstr.cli.verifier;

import dev.ktstr.coordinator.testrun.TestRun;
import dev.ktstr.coordinator.testrun.TestRunOptions;
import dev.ktstr.local.LocalVmEnvironment;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.results.ProjectCommit;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import dev.ktstr.results.stats.VerifierReport;
import dev.ktstr.scenario.discovery.KtstrTestEntry;
import dev.ktstr.vmm.qemu.AccelMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Option;

/**
 * {@code ktstr verifier}: the BPF verifier cost of every scheduler the named tests use, one VM per
 * scheduler x topology x kernel (the cheapest test of each pair runs: the scheduler must attach for
 * the kernel to have verified it), a table per program, and a compare against an earlier run that
 * exits 1 on growth over a threshold — scx CI's veristat check, on the project's own kernels.
 */
@Command(name = "verifier", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"BPF verifier stats of the schedulers the named tests use: one VM per scheduler x topology x kernel "
                + "(the cheapest @KtstrTest of each), verified instructions per program, and with --against a compare "
                + "with an earlier run.",
                "Exit status: 0 fine, 1 a program grew over the threshold or a scheduler VM recorded no programs, 2 bad input."})
public final class VerifierCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", description = "Jars or class directories holding the tests (e.g. examples/target/test-classes).")
    List<Path> paths = new ArrayList<>();

    @Option(names = "-E", paramLabel = "FILTER", description = "Only tests whose name contains FILTER (or matches re:REGEX). Repeatable.")
    List<String> filters = new ArrayList<>();

    @Option(names = "--kernel", paramLabel = "ID", description = "Kernel: image path, tree, version or cache key; repeat for one VM per kernel. Default: discovery chain.")
    List<String> kernels = new ArrayList<>();

    @Option(names = "--runs-dir", paramLabel = "DIR", description = "Runs root (default: $KTSTR_RUNS_DIR or target/ktstr-runs).")
    Path runsDir;

    @Option(names = "--from", paramLabel = "RUN", description = "Report an existing run (id or prefix) instead of booting VMs.")
    String from;

    @Option(names = "--against", paramLabel = "RUN", description = "Baseline run (id or prefix) to compare with.")
    String against;

    @Option(names = "--threshold-pct", paramLabel = "PCT", defaultValue = "10",
            description = "Growth in verified instructions that fails the compare. Default: ${DEFAULT-VALUE}.")
    double thresholdPct;

    @Option(names = "--accel", paramLabel = "kvm|tcg|auto", defaultValue = "auto", description = "Accelerator. Default: ${DEFAULT-VALUE}.")
    String accel;

    /** Every picked pair runs: a KTSTR_BUDGET_SECS in the environment must not drop one. */
    static final String NO_BUDGET = dev.ktstr.coordinator.plan.BudgetSetting.NONE;

    @Override
    public Integer call() throws Exception {
        if (thresholdPct < 0) {
            System.err.println("ktstr verifier: --threshold-pct must be >= 0, got " + thresholdPct);
            return 2;
        }
        RunStore store = RunStore.open(RunStore.resolveRoot(runsDir));
        RunDir baseline = null;
        if (against != null) {
            baseline = store.find(against).orElse(null);
            if (baseline == null) {
                System.err.println("ktstr verifier: no run '" + against + "' under " + store.root() + " (`ktstr stats list` names them)");
                return 2;
            }
        }
        RunDir run;
        boolean failed = false;
        if (from != null) {
            run = store.find(from).orElse(null);
            if (run == null) {
                System.err.println("ktstr verifier: no run '" + from + "' under " + store.root() + " (`ktstr stats list` names them)");
                return 2;
            }
        } else {
            if (paths.isEmpty()) {
                System.err.println("ktstr verifier: name the jars or class directories that hold @KtstrTest classes"
                        + " (e.g. `bin/ktstr verifier examples/target/test-classes`), or report a run with --from RUN");
                return 2;
            }
            String commit = ProjectCommit.detect(Path.of("").toAbsolutePath());
            TestRunOptions base = new TestRunOptions(paths, false, filters, NO_BUDGET, null, 1, false, false, runsDir, 1, null, commit, null);
            LocalVmEnvironment env = new LocalVmEnvironment(kernels, AccelMode.parse(accel), null, System.err);
            TestRun.Planned planned = new TestRun(base, env, System.out, System.err).plan();
            Set<String> selected = new java.util.HashSet<>(planned.variants().stream().map(v -> v.testId()).toList()); // -E applied
            List<KtstrTestEntry> entries = planned.entries().stream().filter(e -> selected.contains(e.id())).toList();
            Set<String> ids = pick(entries);
            if (ids.isEmpty()) {
                System.err.println("ktstr verifier: none of the " + entries.size() + " tests found runs a BPF scheduler"
                        + " (tests with the default EEVDF scheduler, expectErr, host-only or performance-mode tests are not used)");
                return 2;
            }
            System.err.println("ktstr verifier: " + ids.size() + " scheduler x topology pair(s): " + String.join(", ", ids));
            TestRunOptions o = new TestRunOptions(paths, false, List.of(), NO_BUDGET, null, 1, false, false, runsDir, 1, null, commit, ids);
            TestRun.Result r = new TestRun(o, env, System.out, System.err).run(null);
            run = r.runDir();
            if (run == null) {
                System.err.println("ktstr verifier: the run produced no run directory");
                return 1;
            }
            failed = r.exitCode() != 0;
        }
        List<Sidecar> sidecars = run.load().sidecars().stream().map(LoadedSidecar::sidecar).toList();
        List<VerifierReport.Row> rows = VerifierReport.rows(sidecars);
        System.out.println("BPF verifier, run " + run.id() + ":");
        System.out.print(rows.isEmpty() ? "  no sidecar of this run recorded BPF programs\n" : VerifierReport.table(rows));
        List<String> without = sidecars.stream().filter(s -> !"eevdf".equals(s.scheduler()) && s.verifierStats().isEmpty())
                .map(s -> s.testName() + " (" + s.scheduler() + ")").toList();
        if (!without.isEmpty()) {
            System.out.println("no BPF programs recorded for: " + String.join(", ", without)
                    + " (the scheduler did not attach, or the guest could not list programs: see the variant's log)");
            failed = true;
        }
        if (baseline != null) {
            List<VerifierReport.Row> before = VerifierReport.rows(baseline.load().sidecars().stream().map(LoadedSidecar::sidecar).toList());
            List<VerifierReport.Delta> deltas = VerifierReport.compare(before, rows, thresholdPct);
            System.out.println("\nagainst run " + baseline.id() + ":");
            System.out.print(VerifierReport.compareText(deltas, thresholdPct));
            if (deltas.stream().anyMatch(VerifierReport.Delta::grew)) failed = true;
        }
        return failed ? 1 : 0;
    }

    /**
     * The cheapest test (fewest vCPUs, then shortest) of each scheduler x topology pair among the
     * tests that attach a BPF scheduler and expect it to keep running.
     */
    static Set<String> pick(List<KtstrTestEntry> entries) {
        Map<String, KtstrTestEntry> best = new LinkedHashMap<>();
        Comparator<KtstrTestEntry> cost = Comparator.comparingInt((KtstrTestEntry e) -> e.config().topology().totalCpus())
                .thenComparingInt(e -> e.config().durationS()).thenComparing(KtstrTestEntry::id);
        for (KtstrTestEntry e : entries) {
            var c = e.config();
            if (c.scheduler().isEevdf() || c.expectErr() || c.hostOnly() || c.performanceMode()) continue;
            if (c.scheduler().binary() instanceof dev.ktstr.scenario.sched.SchedulerSpec.KernelBuiltin) continue; // no BPF programs
            String key = c.scheduler().displayName() + " " + c.topology().render();
            best.merge(key, e, (a, b) -> cost.compare(a, b) <= 0 ? a : b);
        }
        return new LinkedHashSet<>(best.values().stream().map(KtstrTestEntry::id).toList());
    }
}
