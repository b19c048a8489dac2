package dev.ktstr.scenario.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.topology.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureReportTest {

    @Test
    void rendersHeaderDetailsStatsAndSectionsInOrder() {
        AssertResult r = WorkerChecks.check("cg_0", List.of(WorkerChecksTest.rep(7, 0, 100, 4500, List.of(2)),
                WorkerChecksTest.rep(8, 10, 225, 10, List.of(3))), Assert.defaultChecks(), null, null);
        String text = FailureReport.of("cpuset_split", new Topology(1, 2, 2, 1)).scheduler("scx_qmap").result(r)
                .section(FailureReport.Section.MONITOR, "monitor OK")
                .section(FailureReport.Section.DIAGNOSTICS, "init stage: scenario\nexit code 1")
                .section(FailureReport.Section.TIMELINE, "  ")
                .render();
        assertThat(text).isEqualTo("""
                ktstr_test 'cpuset_split' [sched=scx_qmap] [topo=1n2l2c1t] failed:
                  tid 7 starved (0 work units)
                  stuck 4500ms on cpu2 at +700ms (threshold 3000ms)
                --- stats ---
                2 workers, 2 cpus, 0 migrations, worst_spread=12.5%, worst_gap=4500ms
                  cg_0: workers=2 cpus=2 spread=12.5% gap=4500ms migrations=0 iter=200
                --- diagnostics ---
                init stage: scenario
                exit code 1
                --- monitor ---
                monitor OK
                """);
    }

    @Test
    void eevdfOmitsSchedTagAndMonitorOnlyHeader() {
        String text = FailureReport.of("t", Topology.DEFAULT).scheduler("eevdf").monitorOnly(true)
                .result(AssertResult.fail(DetailKind.MONITOR, "imbalance ratio 6.0 exceeded threshold 4.0 for 7 consecutive samples (ending at sample 42)"))
                .fingerprint("scx_qmap: stall detected").render();
        assertThat(text).isEqualTo("""
                scx_qmap: stall detected
                ktstr_test 't' [topo=1n1l2c1t] monitor failed after scenario:
                  imbalance ratio 6.0 exceeded threshold 4.0 for 7 consecutive samples (ending at sample 42)
                """);
    }
}
