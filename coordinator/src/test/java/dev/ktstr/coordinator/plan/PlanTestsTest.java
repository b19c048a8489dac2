package dev.ktstr.coordinator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.discovery.KtstrTestEntry;
import dev.ktstr.scenario.sched.FlagDecl;
import dev.ktstr.scenario.sched.Scheduler;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanTestsTest {

    @Test
    void defaultEntryMapsToTheSpecDefaults() {
        PlanTest t = PlanTests.from(new KtstrTestEntry("com.acme.T", "basic", TestConfig.DEFAULT));
        assertThat(t).isEqualTo(PlanTest.defaults("basic").withId("com.acme.T#basic"));
    }

    @Test
    void schedulerFlagsAndRequiresCarryOver() {
        TestConfig c = TestConfig.DEFAULT.withTopology(new Topology(1, 2, 2, 1));
        Scheduler s = Scheduler.EEVDF.withFlags(FlagDecl.CATALOG);
        c = c.withScheduler(s, List.of("llc"), List.of("borrow"));
        PlanTest t = PlanTests.from(new KtstrTestEntry("com.acme.T", "split", c));
        assertThat(t.declaredFlags()).extracting(PlanFlag::name).containsExactly("llc", "borrow", "steal", "rebal", "reject-pin", "no-ctrl");
        assertThat(t.declaredFlags().get(2).requires()).containsExactly("llc");
        assertThat(FlagProfiles.generate(t.declaredFlags(), t.requiredFlags(), t.excludedFlags())).hasSize(16);
    }
}
