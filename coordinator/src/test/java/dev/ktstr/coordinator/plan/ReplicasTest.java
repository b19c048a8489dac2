package dev.ktstr.coordinator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicasTest {

    private static List<Variant> plan(String... tests) {
        List<PlanTest> t = java.util.Arrays.stream(tests).map(PlanTest::defaults).toList();
        return GauntletPlanner.forHost(new HostCapacity(512, 32, 64, 8, 1 << 20)).plan(t, GauntletPlanner.Options.baseOnly()).variants();
    }

    @Test
    void namesCarryTheReplicaAndGiveBackTheVariant() {
        assertThat(Replicas.name("ktstr/steady", 2)).isEqualTo("ktstr/steady#r2");
        assertThat(Replicas.index("ktstr/steady#r2")).isEqualTo(2);
        assertThat(Replicas.variant("ktstr/steady#r2")).isEqualTo("ktstr/steady");
        assertThat(Replicas.index("ktstr/steady")).isZero();
        assertThat(Replicas.variant("ktstr/steady")).isEqualTo("ktstr/steady");
        assertThat(Replicas.index("gauntlet/a#rx/b")).isZero();
    }

    @Test
    void expansionKeepsReplicasAdjacentAtOneRunsCostAndTheBudgetBuysWholeSets() {
        List<Variant> base = plan("a", "b");
        double costA = base.get(0).estimatedSecs();
        List<Variant> weighed = Replicas.weigh(base, v -> v.name().endsWith("/a") ? 3 : 1);
        assertThat(weighed.get(0).estimatedSecs()).isEqualTo(costA * 3);
        List<Variant> out = Replicas.expand(weighed, v -> v.name().endsWith("/a") ? 3 : 1);
        assertThat(out).extracting(Variant::name).containsExactly("ktstr/a#r1", "ktstr/a#r2", "ktstr/a#r3", "ktstr/b");
        assertThat(out.get(1).estimatedSecs()).isEqualTo(costA);
        // a budget for one run of each cannot buy a's three replicas
        BudgetSelection sel = BudgetSelector.select(weighed, costA * 2.5, false);
        assertThat(sel.selected()).extracting(Variant::name).doesNotContain("ktstr/a");
    }
}
