package dev.ktstr.junit.engine;

import dev.ktstr.results.ProjectCommit;
import dev.ktstr.coordinator.testrun.ResultLines;
import dev.ktstr.coordinator.testrun.TestRun;
import dev.ktstr.coordinator.testrun.TestRunOptions;
import dev.ktstr.coordinator.testrun.VariantOutcome;
import dev.ktstr.local.LocalVmEnvironment;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.vmm.qemu.AccelMode;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.engine.EngineExecutionListener;
import org.junit.platform.engine.ExecutionRequest;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;

/** One engine execution: every selected {@code @KtstrTest} in one local-mode run. */
final class KtstrExecution {
    private final ExecutionRequest request;
    private final EngineExecutionListener listener;
    private final ConfigurationParameters config;

    KtstrExecution(ExecutionRequest request) {
        this.request = request;
        this.listener = request.getEngineExecutionListener();
        this.config = request.getConfigurationParameters();
    }

    void run() {
        TestDescriptor engine = request.getRootTestDescriptor();
        listener.executionStarted(engine);
        Map<String, KtstrMethodDescriptor> byId = new LinkedHashMap<>();
        List<KtstrClassDescriptor> classes = new ArrayList<>();
        for (TestDescriptor c : engine.getChildren()) {
            classes.add((KtstrClassDescriptor) c);
            for (TestDescriptor m : c.getChildren()) byId.put(((KtstrMethodDescriptor) m).testId(), (KtstrMethodDescriptor) m);
        }
        if (byId.isEmpty()) {
            listener.executionFinished(engine, TestExecutionResult.successful());
            return;
        }
        if (config.getBoolean("ktstr.skip").orElse(false)) {
            classes.forEach(c -> listener.executionSkipped(c, "ktstr.skip=true: VM tests run in the VM stage (ops/test.sh)"));
            listener.executionFinished(engine, TestExecutionResult.successful());
            return;
        }
        classes.forEach(listener::executionStarted);
        Set<String> done = new LinkedHashSet<>();
        Set<String> planned = new LinkedHashSet<>();
        Set<KtstrMethodDescriptor> started = new LinkedHashSet<>(); // gauntlet method containers already open
        Throwable runFailure = null;
        try {
            Set<Path> roots = new LinkedHashSet<>();
            for (KtstrClassDescriptor c : classes) roots.add(codeSource(c.testClass()));
            List<String> kernels = config.get("ktstr.kernel").map(s -> Arrays.stream(s.split(","))
                    .map(String::trim).filter(x -> !x.isEmpty()).toList()).orElse(List.of());
            LocalVmEnvironment env = new LocalVmEnvironment(kernels,
                    AccelMode.parse(config.get("ktstr.accel").orElse("auto")),
                    config.getBoolean("ktstr.guestLog").orElse(false) ? l -> System.err.println("  guest: " + l) : null,
                    System.err);
            Optional<Duration> timeout = config.get("ktstr.timeoutSecs").map(s -> Duration.ofSeconds(Long.parseLong(s.trim())));
            boolean gauntlet = config.getBoolean("ktstr.gauntlet").orElse(false);
            int overcommit = config.get("ktstr.overcommit").map(KtstrExecution::overcommit).orElse(1);
            TestRunOptions options = new TestRunOptions(new ArrayList<>(roots), gauntlet, List.of(),
                    config.get("ktstr.budgetSecs").orElse(null), config.get("ktstr.partition").orElse(null), overcommit, false,
                    config.getBoolean("ktstr.includeIgnored").orElse(false),
                    config.get("ktstr.runsDir").map(Path::of).orElse(null), 0, timeout.orElse(null),
                    ProjectCommit.detect(Path.of("").toAbsolutePath()), byId.keySet(),
                    config.get("ktstr.replicas").map(KtstrExecution::replicas).orElse(null));
            TestRun.Result result = new TestRun(options, env, System.out, System.err).runReporting((o, report) -> {
                KtstrMethodDescriptor d = byId.get(o.variant().testId());
                if (d == null) return;
                // a gauntlet variant, or one replica of a replicated test: each its own dynamic test, none hidden
                if (d.gauntlet()) {
                    reportVariant(d, o, report, started);
                    done.add(d.testId());
                    return;
                }
                if (!done.add(d.testId())) return;
                report(d, o, report);
            });
            result.planned().variants().forEach(v -> planned.add(v.testId()));
        } catch (Throwable t) {
            runFailure = t;
        }
        for (KtstrMethodDescriptor d : byId.values()) {
            if (started.contains(d)) {
                listener.executionFinished(d, runFailure == null ? TestExecutionResult.successful() : TestExecutionResult.failed(runFailure));
                continue;
            }
            if (done.contains(d.testId())) continue;
            if (runFailure == null && !planned.contains(d.testId())) {
                // planning left it out on purpose: say why instead of failing it
                listener.executionSkipped(d, d.getDisplayName().startsWith("demo_")
                        ? "demo_* tests run only when asked (-Dktstr.includeIgnored=true)"
                        : budgetActive() ? "not selected by the time budget (KTSTR_BUDGET_SECS / ktstr.budgetSecs)"
                        : "not planned (filtered out)");
                continue;
            }
            listener.executionStarted(d);
            listener.executionFinished(d, TestExecutionResult.failed(runFailure != null ? runFailure
                    : new AssertionError("ktstr produced no result for " + d.testId())));
        }
        classes.forEach(c -> listener.executionFinished(c, TestExecutionResult.successful()));
        listener.executionFinished(engine, TestExecutionResult.successful());
    }

    private boolean budgetActive() {
        String v = config.get("ktstr.budgetSecs").orElse(System.getenv("KTSTR_BUDGET_SECS"));
        try {
            return v != null && Double.parseDouble(v.trim()) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A gauntlet variant: a dynamic test under its (lazily started) method container. */
    private synchronized void reportVariant(KtstrMethodDescriptor m, VariantOutcome o, String failureReport,
                                            Set<KtstrMethodDescriptor> started) {
        if (started.add(m)) listener.executionStarted(m);
        KtstrVariantDescriptor v = new KtstrVariantDescriptor(m, o.variant().name());
        if (m.getChildren().stream().anyMatch(c -> c.getUniqueId().equals(v.getUniqueId()))) return; // resumed duplicate
        m.addChild(v);
        listener.dynamicTestRegistered(v);
        finish(v, o, failureReport);
    }

    private static int replicas(String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ktstr.replicas must be a whole number from 1 to 100 (runs of each variant), got '" + v + "'");
        }
    }

    private static int overcommit(String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ktstr.overcommit must be a whole number >= 1 (vCPUs per host CPU under TCG), got '" + v + "'");
        }
    }

    private void report(KtstrMethodDescriptor d, VariantOutcome o, String failureReport) {
        finish(d, o, failureReport);
    }

    private void finish(TestDescriptor d, VariantOutcome o, String failureReport) {
        JobStatus s = o.result().status();
        if (s == JobStatus.SKIP) {
            listener.executionSkipped(d, o.result().message());
            return;
        }
        listener.executionStarted(d);
        if (s == JobStatus.PASS || s == JobStatus.INCONCLUSIVE && o.entry() != null && o.entry().config().allowInconclusive()) {
            listener.executionFinished(d, TestExecutionResult.successful());
        } else if (s == JobStatus.INCONCLUSIVE) {
            // the harness could not judge: JUnit's "aborted", not a failure of the scheduler
            listener.executionFinished(d, TestExecutionResult.aborted(new org.opentest4j.TestAbortedException(o.result().message())));
        } else {
            listener.executionFinished(d, TestExecutionResult.failed(new KtstrFailure(
                    failureReport != null ? failureReport : ResultLines.failureReport(o))));
        }
    }

    private static Path codeSource(Class<?> c) throws URISyntaxException {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null) throw new IllegalStateException("cannot locate the classes of " + c.getName());
        return Path.of(cs.getLocation().toURI());
    }
}
