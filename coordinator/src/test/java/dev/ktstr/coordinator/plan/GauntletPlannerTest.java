package dev.ktstr.coordinator.plan;

import dev.ktstr.protocol.kernel.KernelLabel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.topology.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

class GauntletPlannerTest {

    static final List<PlanFlag> QMAP_FLAGS = List.of(PlanFlag.of("llc"), PlanFlag.of("steal", "llc"), PlanFlag.of("borrow"));

    static final PlanTest BASIC = PlanTest.defaults("basic");
    static final PlanTest QMAP = PlanTest.defaults("qmap_split").withScheduler("scx_qmap", QMAP_FLAGS)
            .withFlags(List.of("llc"), List.of("borrow")).withTopology(new Topology(1, 2, 2, 1));
    static final PlanTest HOST = PlanTest.defaults("host_probe").withExecution(1, 2, false, true, false);

    static GauntletPlanner big() {
        return GauntletPlanner.forHost(PresetFilterTest.BIG);
    }

    static List<String> names(GauntletPlan p) {
        return p.variants().stream().map(Variant::name).toList();
    }

    @Test
    void baseOnlyListsOneVariantPerTest() {
        GauntletPlan p = big().plan(List.of(BASIC, QMAP, HOST), GauntletPlanner.Options.baseOnly());
        assertThat(names(p)).containsExactly("ktstr/basic", "ktstr/qmap_split", "ktstr/host_probe");
        Variant q = p.variants().get(1);
        assertThat(q.activeFlags()).containsExactly("llc");
        assertThat(q.topology().render()).isEqualTo("1n2l2c1t");
        assertThat(q.presetName()).isNull();
        assertThat(q.gauntlet()).isFalse();
        assertThat(q.estimatedSecs()).isEqualTo(14.0); // 10 + 0 + 2 + 2
        assertThat(q.memoryMb()).isEqualTo(2048);
        assertThat(p.variants().get(2).estimatedSecs()).isEqualTo(3.0); // host-only: 1 + 2
        assertThat(p.variants().get(2).memoryMb()).isZero();
    }

    @Test
    void gauntletExpandsPresetsTimesProfiles() {
        GauntletPlan p = big().plan(List.of(BASIC, QMAP), GauntletPlanner.Options.baseOnly().withGauntlet(true));
        // basic: 15 presets x 1 profile; qmap_split: 15 presets x {llc, llc+steal}
        assertThat(p.variants()).hasSize(1 + 15 + 1 + 30);
        assertThat(names(p)).startsWith("ktstr/basic", "gauntlet/basic/tiny-1llc/default", "gauntlet/basic/tiny-2llc/default")
                .contains("ktstr/qmap_split", "gauntlet/qmap_split/smt-2llc/llc+steal", "gauntlet/qmap_split/large-8llc-nosmt/llc");
        Variant v = p.variants().stream().filter(x -> x.name().equals("gauntlet/qmap_split/medium-8llc/llc+steal")).findFirst().orElseThrow();
        assertThat(v.topology().render()).isEqualTo("1n8l4c2t");
        assertThat(v.presetName()).isEqualTo("medium-8llc");
        assertThat(v.activeFlags()).containsExactly("llc", "steal");
        assertThat(v.testId()).isEqualTo("qmap_split");
        assertThat(v.estimatedSecs()).isEqualTo(18.0); // 10 + (64-16)/10=4 + 2 + 2
        assertThat(v.memoryMb()).isEqualTo(4096);
        assertThat(v.ignored()).isTrue();
        assertThat(p.notes()).isEmpty();
    }

    @Test
    void multipleKernelsMultiplyVmVariantsButNotHostOnly() {
        List<String> kernels = List.of(KernelLabel.forVersion("6.12.117"), KernelLabel.forVersion("6.14.2"));
        GauntletPlan p = big().plan(List.of(BASIC, HOST),
                GauntletPlanner.Options.baseOnly().withGauntlet(true).withKernels(kernels));
        assertThat(p.variants()).hasSize(2 + 15 * 2 + 1);
        assertThat(names(p)).startsWith("ktstr/basic/kernel_6_12_117", "ktstr/basic/kernel_6_14_2",
                "gauntlet/basic/tiny-1llc/default/kernel_6_12_117", "gauntlet/basic/tiny-1llc/default/kernel_6_14_2");
        assertThat(names(p)).endsWith("ktstr/host_probe");
        assertThat(p.variants().get(1).kernelLabel()).isEqualTo("kernel_6_14_2");
        assertThat(p.variants().get(p.variants().size() - 1).kernelLabel()).isNull();
    }

    @Test
    void singleKernelIsLabelledWithoutSuffix() {
        GauntletPlan p = big().plan(List.of(BASIC), GauntletPlanner.Options.baseOnly().withKernels(List.of("kernel_6_12_117")));
        assertThat(names(p)).containsExactly("ktstr/basic");
        assertThat(p.variants().get(0).kernelLabel()).isEqualTo("kernel_6_12_117");
    }

    @Test
    void nameFilterSubstringAndRegex() {
        GauntletPlanner.Options o = GauntletPlanner.Options.baseOnly().withGauntlet(true);
        GauntletPlan sub = big().plan(List.of(BASIC, QMAP), o.withFilter(NameFilter.parse("llc+steal")));
        assertThat(sub.variants()).hasSize(15).allMatch(v -> v.name().endsWith("/llc+steal"));
        assertThat(sub.unfilteredCount()).isEqualTo(47);
        GauntletPlan re = big().plan(List.of(BASIC, QMAP), o.withFilter(NameFilter.parse("re:^ktstr/")));
        assertThat(names(re)).containsExactly("ktstr/basic", "ktstr/qmap_split");
        GauntletPlan none = big().plan(List.of(BASIC), o.withFilter(NameFilter.parse("nothing-like-this")));
        assertThat(none.variants()).isEmpty();
        assertThat(none.notes()).singleElement().asString().contains("matched none of 16 variants");
        assertThatThrownBy(() -> NameFilter.parse("re:(")).hasMessageContaining("bad -E regular expression");
    }

    @Test
    void tinyHostGetsBaseTestsAndAReasonForNoGauntlet() {
        GauntletPlan p = GauntletPlanner.forHost(PresetFilterTest.TINY)
                .plan(List.of(BASIC, QMAP), GauntletPlanner.Options.baseOnly().withGauntlet(true));
        assertThat(names(p)).containsExactly("ktstr/basic", "ktstr/qmap_split");
        assertThat(p.variants().get(0).overcommitted()).isFalse();
        assertThat(p.variants().get(1).overcommitted()).isTrue(); // 2 LLCs on a 1-LLC host
        assertThat(p.notes()).hasSize(2).allSatisfy(n -> assertThat(n.message()).contains("no topology preset fits", "--overcommit"));
    }

    @Test
    void overcommitIsRecordedInThePlan() {
        GauntletPlanner planner = new GauntletPlanner(TopologyPreset.X86_64,
                new PresetFilter(PresetFilterTest.TINY, Overcommit.factor(4)), CostModel.forAccelerator("tcg"));
        GauntletPlan p = planner.plan(List.of(BASIC), GauntletPlanner.Options.baseOnly().withGauntlet(true));
        assertThat(names(p)).containsExactly("ktstr/basic", "gauntlet/basic/tiny-1llc/default",
                "gauntlet/basic/tiny-2llc/default", "gauntlet/basic/smt-2llc/default");
        assertThat(p.overcommittedCount()).isEqualTo(3);
        assertThat(p.overcommit()).isEqualTo(Overcommit.factor(4));
        assertThat(p.overcommitSummary()).isEqualTo("overcommit x4 (LLC shape not checked): 3 of 4 variants exceed the host"
                + " (2 CPUs, 1 LLC (largest 2 CPUs), 1 NUMA node, 24576 MB); largest 8 vCPUs = 4.0x host CPUs");
        // TCG model: 18 + 3 x 8 + 2 + 2
        assertThat(p.variants().get(3).estimatedSecs()).isEqualTo(46.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(p.costModel()).startsWith("tcg:");
    }

    @Test
    void everyBadDefinitionIsReportedAtOnce() {
        PlanTest unknown = PlanTest.defaults("a").withScheduler("s", QMAP_FLAGS).withFlags(List.of("lcc"), List.of());
        PlanTest noFlags = PlanTest.defaults("b").withFlags(List.of("llc"), List.of());
        PlanTest dup = PlanTest.defaults("basic");
        assertThatThrownBy(() -> big().plan(List.of(BASIC, unknown, noFlags, dup), GauntletPlanner.Options.baseOnly()))
                .isInstanceOfSatisfying(PlanException.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("'lcc'").hasMessageContaining("declares no flags").hasMessageContaining("two tests are named 'basic'");
        assertThatThrownBy(() -> big().plan(List.of(BASIC), GauntletPlanner.Options.baseOnly().withKernels(List.of("6.12", "6.13"))))
                .isInstanceOf(PlanException.class).hasMessageContaining("kernel_[a-z0-9_]+");
        assertThatThrownBy(() -> big().plan(List.of(BASIC), GauntletPlanner.Options.baseOnly()
                .withKernels(List.of("kernel_a", "kernel_a")))).hasMessageContaining("given twice");
    }

    @Test
    void unsatisfiableProfilesAreANoteNotAnError() {
        PlanTest t = PlanTest.defaults("x").withScheduler("s", QMAP_FLAGS).withFlags(List.of("steal"), List.of("llc"));
        GauntletPlan p = big().plan(List.of(t), GauntletPlanner.Options.baseOnly().withGauntlet(true));
        assertThat(names(p)).containsExactly("ktstr/x");
        assertThat(p.notes()).singleElement().asString().contains("no flag profile satisfies");
    }

    @Test
    void demoTestsAreIgnoredLikeGauntletVariants() {
        GauntletPlan p = big().plan(List.of(BASIC, PlanTest.defaults("demo_show")), GauntletPlanner.Options.baseOnly());
        assertThat(p.variants()).extracting(Variant::ignored).containsExactly(false, true);
    }
}
