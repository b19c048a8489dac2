package dev.ktstr.scenario.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.guest.WorkConservationWatchdog;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.FakeBackend;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.fixtures.BadFlagTests;
import dev.ktstr.scenario.fixtures.QmapSched;
import dev.ktstr.scenario.fixtures.SampleTests;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerDefinitions;
import dev.ktstr.scenario.sched.TopologyConstraints;
import dev.ktstr.scenario.verify.AssertResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KtstrTestsTest {

    private static TestConfig config(String method) {
        return KtstrTests.discover(List.of(SampleTests.class)).stream().filter(e -> e.methodName().equals(method)).findFirst().orElseThrow().config();
    }

    @Test
    void bareAnnotationGetsSpecDefaults() {
        TestConfig c = config("plain");
        assertThat(c.topology()).isEqualTo(Topology.DEFAULT);
        assertThat(c.memoryMb()).isEqualTo(2048);
        assertThat(c.scheduler()).isEqualTo(Scheduler.EEVDF);
        assertThat(c.scheduler().displayName()).isEqualTo("eevdf");
        assertThat(c.watchdogTimeoutS()).isEqualTo(4);
        assertThat(c.durationS()).isEqualTo(2);
        assertThat(c.workersPerCgroup()).isEqualTo(2);
        assertThat(c.assertion()).isEqualTo(dev.ktstr.scenario.verify.Assert.defaultChecks());
        assertThat(c.constraints()).isEqualTo(TopologyConstraints.DEFAULT);
        assertThat(c.autoRepro()).isTrue();
        assertThat(c.expectErr()).isFalse();
        assertThat(c.cleanupBudgetMs()).isNull();
        assertThat(c.attachTimeoutMs()).isNull();
        assertThat(c.workConservationWatchdog()).isEqualTo(WorkConservationWatchdog.DEFAULT);
        assertThat(c).isEqualTo(TestConfig.DEFAULT);
    }

    @Test
    void schedulerLayerIsInheritedAndTestOverrides() {
        TestConfig c = config("tuned");
        // scheduler default 2n4l2c2t; the test sets llcs = 2
        assertThat(c.topology()).isEqualTo(new Topology(2, 2, 2, 2));
        assertThat(c.scheduler().name()).isEqualTo("scx_qmap");
        assertThat(c.scheduler().flags()).extracting(f -> f.name()).containsExactly("llc", "steal", "borrow");
        assertThat(c.assertion().notStarved()).isFalse();          // test Inherit.FALSE beats default true
        assertThat(c.assertion().maxGapMs()).isEqualTo(500L);       // test beats scheduler 1000
        assertThat(c.assertion().isolation()).isTrue();             // from scheduler
        assertThat(c.assertion().maxImbalanceRatio()).isEqualTo(8.0); // scheduler beats default 4.0
        assertThat(c.assertion().failOnStall()).isTrue();           // default
        assertThat(c.assertion().maxSpreadPct()).isEqualTo(20.5);
        assertThat(c.testAssert().isolation()).isNull();
        assertThat(c.constraints()).isEqualTo(new TopologyConstraints(1, 2, 2, 8, 4, 16, false));
        assertThat(c.durationS()).isEqualTo(5);
        assertThat(c.workersPerCgroup()).isEqualTo(3);
        assertThat(c.expectErr()).isTrue();
        assertThat(c.autoRepro()).isFalse();
        assertThat(c.cleanupBudgetMs()).isEqualTo(2000L);
        assertThat(c.attachTimeoutMs()).isEqualTo(45_000L);          // test beats the scheduler's 30 s
        assertThat(c.workConservationWatchdog()).isEqualTo(new WorkConservationWatchdog(false, 5000));
        assertThat(c.requiredFlags()).containsExactly("steal");
        assertThat(c.scheduler().commandLine(c.extraSchedArgs(), Set.of("steal", "llc")))
                .containsExactly("-v", "--slice", "5000", "--llc", "-s", "2");
    }

    @Test
    void eachTopologyDimensionInheritsIndependently() {
        assertThat(config("inheritsRest").topology()).isEqualTo(new Topology(1, 4, 2, 2));
        assertThat(config("inheritsRest").attachTimeoutMs()).isEqualTo(30_000L); // the scheduler definition's
        assertThat(config("counted").topology()).isEqualTo(new Topology(1, 1, 1, 1));
        assertThat(config("counted").hostOnly()).isTrue();
    }

    @Test
    void inheritedTopologyThatBecomesInvalidIsReportedWithTheScheduler() {
        assertThatThrownBy(() -> KtstrTests.discover(List.of(BadFlagTests.class)))
                .hasMessageContaining("invalid @KtstrTest dev.ktstr.scenario.fixtures.BadFlagTests#badTopology")
                .hasMessageContaining("llcs (4) must be a multiple of numa nodes (3)")
                .hasMessageContaining("scheduler scx_qmap topology 2n4l2c2t");
    }

    @Test
    void runtimeFlagValidation() {
        Scheduler q = SchedulerDefinitions.load(QmapSched.class);
        assertThatThrownBy(() -> KtstrTests.checkFlags("t", q, List.of("llc"), List.of("llc")))
                .hasMessage("invalid @KtstrTest t: flag 'llc' is both required and excluded");
        assertThatThrownBy(() -> KtstrTests.checkFlags("t", q, List.of("lcl"), List.of()))
                .hasMessage("invalid @KtstrTest t: scheduler scx_qmap declares no flag 'lcl'; declared: [llc, steal, borrow]");
        assertThatThrownBy(() -> KtstrTests.checkFlags("t", Scheduler.EEVDF, List.of("llc"), List.of()))
                .hasMessageContaining("declares no flags");
    }

    @Test
    void discoverFromClassDirectoryAndInvoke() throws Exception {
        Path testClasses = Path.of(SampleTests.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ClassLoader cl = getClass().getClassLoader();
        assertThatThrownBy(() -> KtstrTests.discover(cl, List.of(testClasses))).hasMessageContaining("BadFlagTests#badTopology");
        KtstrTestEntry e = KtstrTests.find(SampleTests.class.getName() + "#counted", cl);
        assertThat(e.id()).isEqualTo("dev.ktstr.scenario.fixtures.SampleTests#counted");
        assertThatThrownBy(() -> KtstrTests.find(BadFlagTests.class.getName() + "#badTopology", cl))
                .isInstanceOf(KtstrTests.InvalidTestException.class).hasMessageContaining("must be a multiple of numa nodes");
        assertThatThrownBy(() -> KtstrTests.find(SampleTests.class.getName() + "#nope", cl)).hasMessage("no @KtstrTest method dev.ktstr.scenario.fixtures.SampleTests#nope");
        assertThatThrownBy(() -> KtstrTests.find("no.Such#x", cl)).hasMessage("test class no.Such not found on the classpath");
        int before = SampleTests.invocations;
        AssertResult r = KtstrTests.invoke(e, Ctx.builder(new FakeBackend(Topology.DEFAULT), e.config()).build(), cl);
        assertThat(SampleTests.invocations).isEqualTo(before + 1);
        assertThat(r.details().get(0).message()).isEqualTo("counted 2");
        assertThat(KtstrTests.candidateClassNames(testClasses)).containsExactlyInAnyOrder(
                "dev.ktstr.scenario.fixtures.SampleTests", "dev.ktstr.scenario.fixtures.BadFlagTests");
        KtstrTests.Scan scan = KtstrTests.scan(cl, List.of(testClasses));
        assertThat(scan.invalid()).extracting(KtstrTests.Invalid::id).containsExactly("dev.ktstr.scenario.fixtures.BadFlagTests#badTopology");
        assertThat(scan.invalid().get(0).message()).startsWith("invalid topology 3,4,2,2: llcs (4) must be a multiple of numa nodes (3)");
        assertThat(scan.entries()).extracting(KtstrTestEntry::methodName)
                .containsExactly("counted", "cpusetSplit", "inheritsRest", "plain", "tuned");
    }
}
