package dev.ktstr.coordinator.testrun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.coordinator.plan.GauntletPlan;
import dev.ktstr.coordinator.plan.GauntletPlanner;
import dev.ktstr.coordinator.plan.PlanTest;
import dev.ktstr.coordinator.plan.HostCapacity;
import dev.ktstr.coordinator.plan.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** demo_* tests run only when asked, in the gauntlet too (the main job is a gauntlet of the example suite). */
class DemoSelectionTest {

    private static List<String> running(boolean gauntlet, boolean includeIgnored) {
        GauntletPlanner.Options o = GauntletPlanner.Options.baseOnly().withGauntlet(gauntlet);
        GauntletPlan p = GauntletPlanner.forHost(new HostCapacity(512, 32, 64, 8, 1 << 20))
                .plan(List.of(PlanTest.defaults("basic"), PlanTest.defaults("demo_show")), o);
        return p.variants().stream().filter(v -> TestRun.runs(v, includeIgnored)).map(Variant::name).toList();
    }

    @Test
    void demoTestsAndTheirGauntletVariantsRunOnlyWhenAsked() {
        assertThat(running(false, false)).containsExactly("ktstr/basic");
        assertThat(running(true, false)).isNotEmpty().noneMatch(n -> n.contains("demo_show"));
        assertThat(running(true, false)).anyMatch(n -> n.startsWith("gauntlet/basic/"));
        assertThat(running(false, true)).contains("ktstr/demo_show");
        assertThat(running(true, true)).anyMatch(n -> n.startsWith("gauntlet/demo_show/"));
    }
}
