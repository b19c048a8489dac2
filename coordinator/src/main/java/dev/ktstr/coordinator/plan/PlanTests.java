package dev.ktstr.coordinator.plan;

import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.discovery.KtstrTestEntry;
import dev.ktstr.scenario.sched.FlagDecl;
import dev.ktstr.scenario.sched.TopologyConstraints;
import java.util.List;

/** Adapters from the scenario module's resolved tests to the planner's input. */
public final class PlanTests {

    private PlanTests() {}

    public static PlanTest from(KtstrTestEntry e) {
        TestConfig c = e.config();
        List<PlanFlag> flags = c.scheduler().flags().stream().map(PlanTests::flag).toList();
        return new PlanTest(e.id(), e.name(), c.scheduler().name(), flags, c.requiredFlags(), c.excludedFlags(),
                c.topology(), constraints(c.constraints()), c.memoryMb(), c.durationS(), c.workersPerCgroup(),
                c.performanceMode(), c.hostOnly(), c.expectErr());
    }

    public static List<PlanTest> from(List<KtstrTestEntry> entries) {
        return entries.stream().map(PlanTests::from).toList();
    }

    public static PlanFlag flag(FlagDecl f) {
        return new PlanFlag(f.name(), f.requires());
    }

    public static PlanConstraints constraints(TopologyConstraints t) {
        return new PlanConstraints(t.minNumaNodes(), t.maxNumaNodes(), t.minLlcs(), t.maxLlcs(), t.minCpus(),
                t.maxCpus(), t.requiresSmt());
    }
}
