package dev.ktstr.junit.engine;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.verify.AssertResult;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

class KtstrTestEngineTest {

    public static class Sample {
        @KtstrTest(cores = 2)
        public AssertResult first(Ctx ctx) {
            return AssertResult.pass();
        }

        @KtstrTest(cores = 1, llcs = 2)
        public AssertResult second(Ctx ctx) {
            return AssertResult.pass();
        }

        public void notATest() {
        }
    }

    public static class Replicated {
        @KtstrTest(replicas = 3)
        public AssertResult thrice(Ctx ctx) {
            return AssertResult.pass();
        }

        @KtstrTest
        public AssertResult once(Ctx ctx) {
            return AssertResult.pass();
        }
    }

    public static class NoTests {
        public void plain() {
        }
    }

    @Test
    void discoversEveryKtstrTestMethodOfASelectedClass() {
        var desc = EngineTestKit.engine(KtstrTestEngine.ENGINE_ID).selectors(selectClass(Sample.class)).configurationParameter("ktstr.skip", "true");
        Events containers = desc.execute().containerEvents();
        // engine + one class container, both skipped/finished without running a VM
        assertThat(containers.skipped().count()).isEqualTo(1);
        containers.assertThatEvents().haveExactly(1, event(container(Sample.class.getSimpleName()),
                skippedWithReason(r -> r.contains("ktstr.skip=true"))));
    }

    @Test
    void methodSelectorPicksOneTestAndClassesWithoutTestsAreIgnored() throws Exception {
        var engine = new KtstrTestEngine();
        var root = engine.discover(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(Sample.class, Sample.class.getMethod("second", Ctx.class)), selectClass(NoTests.class)).build(),
                org.junit.platform.engine.UniqueId.forEngine(KtstrTestEngine.ENGINE_ID));
        assertThat(root.getChildren()).hasSize(1);
        var cls = root.getChildren().iterator().next();
        assertThat(cls.getChildren()).extracting(d -> d.getDisplayName()).containsExactly("second");
        assertThat(((KtstrMethodDescriptor) cls.getChildren().iterator().next()).testId())
                .isEqualTo(Sample.class.getName() + "#second");
    }

    @Test
    void classSelectorFindsBothTestsInNameOrder() {
        var engine = new KtstrTestEngine();
        var root = engine.discover(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Sample.class)).build(), org.junit.platform.engine.UniqueId.forEngine("ktstr"));
        var cls = root.getChildren().iterator().next();
        assertThat(cls.getChildren()).extracting(d -> d.getDisplayName()).containsExactly("first", "second");
    }

    @Test
    void gauntletMakesEachMethodAContainerOfVariantsAndKeepsThemTestsOtherwise() {
        var plain = new KtstrTestEngine().discover(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Sample.class)).build(), org.junit.platform.engine.UniqueId.forEngine("ktstr"));
        var gauntlet = new KtstrTestEngine().discover(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Sample.class)).configurationParameter("ktstr.gauntlet", "true").build(),
                org.junit.platform.engine.UniqueId.forEngine("ktstr"));
        assertThat(plain.getDescendants()).filteredOn(d -> d instanceof KtstrMethodDescriptor)
                .hasSize(2).allMatch(d -> d.getType() == org.junit.platform.engine.TestDescriptor.Type.TEST);
        assertThat(gauntlet.getDescendants()).filteredOn(d -> d instanceof KtstrMethodDescriptor)
                .hasSize(2).allMatch(d -> d.getType() == org.junit.platform.engine.TestDescriptor.Type.CONTAINER)
                .allMatch(org.junit.platform.engine.TestDescriptor::mayRegisterTests); // not pruned before the run
        KtstrMethodDescriptor m = (KtstrMethodDescriptor) gauntlet.getDescendants().stream()
                .filter(d -> d instanceof KtstrMethodDescriptor).findFirst().orElseThrow();
        KtstrVariantDescriptor v = new KtstrVariantDescriptor(m, "ktstr/first/tiny-1llc/default");
        assertThat(v.getDisplayName()).isEqualTo("ktstr/first/tiny-1llc/default");
        assertThat(v.getUniqueId().removeLastSegment()).isEqualTo(m.getUniqueId());
        assertThat(v.getUniqueId().getLastSegment().getType()).isEqualTo("variant");
        assertThat(v.getUniqueId().getLastSegment().getValue()).isEqualTo("ktstr/first/tiny-1llc/default");
        assertThat(v.getSource()).isEqualTo(m.getSource());
    }

    /** Each replica is its own dynamic test, so a failing replica is never hidden behind a passing one. */
    @Test
    void aReplicatedTestIsAContainerOfItsReplicasAndReplicasMakeEveryTestOne() {
        var root = new KtstrTestEngine().discover(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Replicated.class)).build(), org.junit.platform.engine.UniqueId.forEngine("ktstr"));
        assertThat(root.getDescendants()).filteredOn(d -> d instanceof KtstrMethodDescriptor)
                .extracting(d -> d.getDisplayName() + " " + d.getType()).containsExactlyInAnyOrder("thrice CONTAINER", "once TEST");
        var all = new KtstrTestEngine().discover(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Replicated.class)).configurationParameter("ktstr.replicas", "5").build(),
                org.junit.platform.engine.UniqueId.forEngine("ktstr"));
        assertThat(all.getDescendants()).filteredOn(d -> d instanceof KtstrMethodDescriptor)
                .allMatch(d -> d.getType() == org.junit.platform.engine.TestDescriptor.Type.CONTAINER);
    }

    @Test
    void aFailuresMessageIsTheReportsFirstLineAndItsTraceTheWholeReport() {
        KtstrFailure f = new KtstrFailure("BUG SUMMARY: FAIL STARVED: x\nktstr_test 't' failed:\n  STARVED: x\nfull log: /r/t.log");
        assertThat(f.getMessage()).isEqualTo("BUG SUMMARY: FAIL STARVED: x");
        var w = new java.io.StringWriter();
        f.printStackTrace(new java.io.PrintWriter(w));
        assertThat(w.toString()).contains("  STARVED: x\n").contains("full log: /r/t.log").doesNotContain("at dev.ktstr");
    }
}
