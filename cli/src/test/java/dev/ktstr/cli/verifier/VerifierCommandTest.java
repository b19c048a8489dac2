package dev.ktstr.cli.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.discovery.KtstrTestEntry;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.protocol.topology.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VerifierCommandTest {

    static KtstrTestEntry entry(String method, Scheduler s, Topology t, int durationS, boolean expectErr) {
        TestConfig c = TestConfig.DEFAULT;
        c = new TestConfig(t, c.memoryMb(), s, c.extraSchedArgs(), c.watchdogTimeoutS(), c.testAssert(), c.assertion(),
                c.requiredFlags(), c.excludedFlags(), c.constraints(), durationS, c.workersPerCgroup(), expectErr, c.hostOnly(),
                c.autoRepro(), c.performanceMode(), c.cleanupBudgetMs(), c.attachTimeoutMs(), c.workConservationWatchdog(),
                c.schedError(), c.allowInconclusive(), c.replicas());
        return new KtstrTestEntry("a.T", method, c);
    }

    @Test
    void theCheapestTestOfEachSchedulerAndTopologyThatKeepsItsSchedulerRunning() {
        Scheduler qmap = Scheduler.builder("scx_qmap").discover("scx_qmap").build();
        Scheduler simple = Scheduler.builder("scx_simple").discover("scx_simple").build();
        Scheduler builtin = Scheduler.builder("starvable").kernelBuiltin(List.of("echo 1"), List.of()).build();
        Topology small = new Topology(1, 1, 2, 1), big = new Topology(1, 2, 2, 1);
        List<KtstrTestEntry> entries = List.of(
                entry("qmap_long", qmap, small, 10, false),
                entry("qmap_short", qmap, small, 2, false),
                entry("qmap_big", qmap, big, 2, false),
                entry("qmap_err", qmap, small, 1, true),
                entry("simple", simple, small, 5, false),
                entry("eevdf", Scheduler.EEVDF, small, 1, false),
                entry("builtin", builtin, small, 1, false));
        assertThat(VerifierCommand.pick(entries)).containsExactly("a.T#qmap_short", "a.T#qmap_big", "a.T#simple");
    }

    @Test
    void badInputIsExitTwoWithTheFix() {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(buf, true));
        try {
            assertThat(new CommandLine(new VerifierCommand()).execute()).isEqualTo(2);
            assertThat(new CommandLine(new VerifierCommand()).execute("--threshold-pct", "-3")).isEqualTo(2);
        } finally {
            System.setErr(old);
        }
        assertThat(buf.toString()).contains("name the jars or class directories", "--from RUN", "--threshold-pct must be >= 0");
    }
}
