package dev.ktstr.examples.sched;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.runtime.PayloadExit;
import dev.ktstr.scenario.runtime.PayloadHandle;
import dev.ktstr.scenario.runtime.ScenarioBackend;
import dev.ktstr.scenario.verify.AssertDetail;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Binary payloads (spec §1.4) run in the guest under a real BPF scheduler, with metrics and checks. */
public class PayloadsTest {

    /** Floor for cpu.bogo-ops: low enough for TCG on a loaded host, high enough that a stalled run fails. */
    static final double MIN_BOGO_OPS = 20;

    /** stress-ng's CPU stressor on both vCPUs for durationS under scx_simple; Min check on bogo-ops. */
    @KtstrTest(scheduler = ScxSimple.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S, extraIncludeFiles = "stress-ng")
    public AssertResult stress_ng_cpu_under_simple(Ctx ctx) {
        Path yaml = null;
        try {
            yaml = Files.createTempFile("stress-ng-", ".yaml");
            ScenarioBackend b = ctx.backend();
            PayloadHandle h = b.runPayload(BenchPayloads.STRESS_NG, List.of("--cpu", String.valueOf(ctx.topology().totalCpus()),
                    "--cpu-method", "int64", "--timeout", ctx.config().durationS() + "s", "--yaml", yaml.toString()), "");
            // The payload's own --timeout ends it; the wait deadline only catches a hung run.
            PayloadExit exit = b.waitPayload(h, ctx.duration().plusSeconds(60));
            if (!exit.success()) {
                return AssertResult.failMsg("stress-ng exited " + exit.exitCode() + " (signal " + exit.signal() + ") after "
                        + exit.wallTimeMs() + " ms:\n" + exit.outputTail());
            }
            Map<String, Double> metrics = BenchPayloads.stressNgMetrics(Files.readString(yaml));
            b.log("stress-ng metrics: " + metrics);
            Double ops = metrics.get("cpu.bogo-ops");
            if (ops == null) return AssertResult.failMsg("stress-ng YAML has no metrics.cpu.bogo-ops; metrics found: " + metrics);
            if (ops < MIN_BOGO_OPS) {
                return AssertResult.fail(DetailKind.BENCHMARK, "stress-ng cpu.bogo-ops " + ops + " below Min " + MIN_BOGO_OPS);
            }
            // A non-failing detail carries the figure into the sidecar.
            return AssertResult.pass().withDetail(new AssertDetail(DetailKind.BENCHMARK, "stress-ng cpu.bogo-ops " + ops
                    + " >= Min " + MIN_BOGO_OPS + "; metrics " + metrics), false);
        } catch (IOException e) {
            return AssertResult.failMsg("stress-ng report " + yaml + ": " + e);
        } finally {
            try {
                if (yaml != null) Files.deleteIfExists(yaml);
            } catch (IOException ignored) {
                // a leftover file in the guest's tmpfs dies with the VM
            }
        }
    }

    /** hackbench (1 group, 4 processes, 100 messages) under scx_qmap; must exit 0 and report its time. */
    @KtstrTest(scheduler = ScxQmap.class, watchdogTimeoutS = ScxTcg.WATCHDOG_S, extraIncludeFiles = "hackbench")
    public AssertResult hackbench_under_qmap(Ctx ctx) {
        ScenarioBackend b = ctx.backend();
        PayloadHandle h = b.runPayload(BenchPayloads.HACKBENCH, List.of("-g", "1", "-f", "2", "-l", "100"), "");
        PayloadExit exit = b.waitPayload(h, Duration.ofSeconds(60));
        if (!exit.success()) {
            return AssertResult.failMsg("hackbench exited " + exit.exitCode() + " (signal " + exit.signal() + "):\n" + exit.outputTail());
        }
        OptionalDouble secs = BenchPayloads.hackbenchSeconds(exit.outputTail());
        if (secs.isEmpty()) return AssertResult.failMsg("hackbench printed no 'Time:' line:\n" + exit.outputTail());
        return AssertResult.pass().withDetail(new AssertDetail(DetailKind.BENCHMARK,
                "hackbench time " + secs.getAsDouble() + " s (wall " + exit.wallTimeMs() + " ms)"), false);
    }
}
