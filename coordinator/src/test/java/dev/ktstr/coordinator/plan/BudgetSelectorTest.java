package dev.ktstr.coordinator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.topology.Topology;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class BudgetSelectorTest {

    static Variant base(PlanTest t, String name) {
        return new Variant(name, t.id(), t, t.topology(), null, List.of(), null, 14, false, 2048, false, false);
    }

    @Test
    void featureBitsOfTheDefaultBaseTest() {
        // djb2("eevdf") = 257691791 (mod 4 = 3); djb2("ktstr/basic") = 2615448366 (mod 4 = 2), computed with Python.
        long expected = (1L << 3) | (1L << 22) | (1L << 27) | (1L << 36) | (1L << (41 + 2)) | (1L << 45);
        assertThat(FeatureBits.of(base(PlanTest.defaults("basic"), "ktstr/basic"))).isEqualTo(expected);
        assertThat(Integer.toUnsignedLong(FeatureBits.djb2("eevdf"))).isEqualTo(257691791L);
    }

    @Test
    void featureBitsOfAGauntletVariantWithFlags() {
        // djb2("scx_qmap") mod 4 = 1; djb2("gauntlet/basic/tiny-1llc/default") mod 4 = 2
        PlanTest t = PlanTest.defaults("basic").withScheduler("scx_qmap", FlagProfilesTest.CATALOG)
                .withFlags(List.of("llc"), List.of("no-ctrl")).withExecution(12, 4, true, false, true);
        Topology smt = new Topology(2, 4, 2, 2); // 16 CPUs, 2 nodes
        Variant v = new Variant("gauntlet/basic/tiny-1llc/default", "basic", t, smt, "x", List.of("llc", "steal"), null, 1,
                true, 2048, false, true);
        long expected = (1L << 1)            // scheduler
                | (1L << 4)                  // required llc
                | (1L << (10 + 5))           // excluded no-ctrl
                | (1L << 16) | (1L << 18)    // active llc, steal
                | (1L << (22 + 1))           // 9..16 CPUs
                | (1L << (27 + 2))           // 3..4 LLCs
                | (1L << 32) | (1L << 33) | (1L << 35) // SMT, perf mode, expect_err
                | (1L << (36 + 2))           // > 10 s
                | (1L << 39) | (1L << 40)    // workers > 2, gauntlet
                | (1L << (41 + 2))           // name hash
                | (1L << (45 + 1));          // 2 nodes
        assertThat(FeatureBits.of(v)).isEqualTo(expected);
    }

    @Test
    void greedyPicksBestRatioWithNameTieBreakAndStopsAtBudget() {
        String[] names = {"A", "B", "C"};
        long[] f = {0b0111, 0b1000, 0b0011};
        double[] cost = {3, 0.5, 1};
        // Round 1: A 3/3=1, B 1/0.5=2, C 2/1=2 -> tie B/C, B wins by name. Round 2: C 2/1 > A 3/3.
        // Round 3: A adds bit 2 but costs 3 > remaining 2.5 -> stop.
        assertThat(BudgetSelector.greedy(names, f, cost, 4)).containsExactly(false, true, true);
        // With 5 s, A fits in round 3 (3 <= 3.5).
        assertThat(BudgetSelector.greedy(names, f, cost, 5)).containsExactly(true, true, true);
        // A candidate that adds nothing new is never taken, whatever the budget.
        assertThat(BudgetSelector.greedy(new String[] {"X", "Y"}, new long[] {0b11, 0b01}, new double[] {1, 1}, 100))
                .containsExactly(true, false);
        // Zero cost beats any finite ratio.
        assertThat(BudgetSelector.greedy(new String[] {"Z", "Q"}, new long[] {0b1, 0b1}, new double[] {0, 0.001}, 1))
                .containsExactly(true, false);
        assertThatThrownBy(() -> BudgetSelector.greedy(names, f, cost, 0)).hasMessageContaining("positive");
    }

    @Test
    void fillSpendsWhatFullCoverageLeftInPlanOrder() {
        // Greedy takes X (covers everything); Y adds nothing. Fill then adds, in order, what still fits.
        boolean[] used = BudgetSelector.greedy(new String[] {"X", "Y", "Z", "W"}, new long[] {0b11, 0b01, 0b10, 0b01},
                new double[] {1, 5, 2, 1}, 4);
        assertThat(used).containsExactly(true, false, false, false);
        assertThat(BudgetSelector.fill(used, new double[] {1, 5, 2, 1}, 4)).isEqualTo(2);
        assertThat(used).containsExactly(true, false, true, true); // Y (5 s) does not fit the 3 s left
        assertThat(new BudgetSelection(List.of(), 4, 4, 4, 2, 2, 2).summaryLine())
                .isEqualTo("ktstr budget: 0/4 tests, 4/4s used, 2/2 configurations covered (2 more added to fill the budget)");
    }

    @Test
    void interleaveByTestSpreadsAFillOverTheSuite() {
        PlanTest a = PlanTest.defaults("a");
        PlanTest b = PlanTest.defaults("b");
        List<Variant> plan = List.of(base(a, "ktstr/a"), base(a, "gauntlet/a/p1"), base(a, "gauntlet/a/p2"),
                base(b, "ktstr/b"), base(b, "gauntlet/b/p1"));
        assertThat(BudgetSelector.interleaveByTest(plan)).extracting(Variant::name)
                .containsExactly("gauntlet/a/p1", "gauntlet/b/p1", "gauntlet/a/p2", "ktstr/b", "ktstr/a");
    }

    @Test
    void summaryLineMatchesTheSpecFormatAndRounding() {
        assertThat(new BudgetSelection(List.of(), 1200, 295, 300, 38, 38).summaryLine())
                .isEqualTo("ktstr budget: 0/1200 tests, 295/300s used, 38/38 configurations covered");
        // Rust {:.0} rounds ties to even: 4.5 -> 4, 2.5 -> 2, 1.5 -> 2
        assertThat(BudgetSelection.rust0(4.5)).isEqualTo("4");
        assertThat(BudgetSelection.rust0(2.5)).isEqualTo("2");
        assertThat(BudgetSelection.rust0(1.5)).isEqualTo("2");
        assertThat(BudgetSelection.rust0(299.6)).isEqualTo("300");
    }

    @Test
    void selectOverAPlanKeepsOrderAndBudget() {
        GauntletPlan plan = GauntletPlannerTest.big().plan(List.of(GauntletPlannerTest.BASIC, GauntletPlannerTest.QMAP),
                GauntletPlanner.Options.baseOnly().withGauntlet(true));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        BudgetSelection s = BudgetSelector.selectAndReport(plan.variants(), 100, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(s.selected()).isNotEmpty().hasSizeLessThan(plan.variants().size());
        assertThat(s.usedSecs()).isLessThanOrEqualTo(100).isEqualTo(s.selected().stream().mapToDouble(Variant::estimatedSecs).sum());
        List<Variant> inOrder = new ArrayList<>(plan.variants());
        inOrder.retainAll(s.selected());
        assertThat(s.selected()).containsExactlyElementsOf(inOrder);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(s.summaryLine() + System.lineSeparator())
                .startsWith("ktstr budget: " + s.selected().size() + "/47 tests, ");
        // An unlimited budget covers every bit that any candidate has.
        BudgetSelection all = BudgetSelector.select(plan.variants(), 1e9);
        assertThat(all.coveredBits()).isEqualTo(all.possibleBits());
        // A budget below the cheapest estimate selects nothing.
        assertThat(BudgetSelector.select(plan.variants(), 5).selected()).isEmpty();
    }

    @Test
    void budgetSettingPrefersTheCommandLineAndWarnsOnBadValues() {
        List<String> warnings = new ArrayList<>();
        assertThat(BudgetSetting.resolve("120", Map.of("KTSTR_BUDGET_SECS", "60"), warnings::add)).isEqualTo(OptionalDouble.of(120));
        assertThat(BudgetSetting.resolve(null, Map.of("KTSTR_BUDGET_SECS", "60"), warnings::add)).isEqualTo(OptionalDouble.of(60));
        assertThat(warnings).isEmpty();
        assertThat(BudgetSetting.resolve(null, Map.of("KTSTR_BUDGET_SECS", "abc"), warnings::add)).isEmpty();
        assertThat(BudgetSetting.resolve("-5", Map.of(), warnings::add)).isEmpty();
        assertThat(BudgetSetting.resolve(null, Map.of("KTSTR_BUDGET_SECS", "0"), warnings::add)).isEmpty();
        assertThat(BudgetSetting.resolve(null, Map.of(), warnings::add)).isEmpty();
        assertThat(warnings).hasSize(3);
        assertThat(warnings.get(0)).contains("KTSTR_BUDGET_SECS='abc'", "not a number");
        assertThat(warnings.get(1)).contains("--budget-secs='-5'", "positive");
    }
}
