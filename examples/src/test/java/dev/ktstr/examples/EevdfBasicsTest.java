package dev.ktstr.examples;

import dev.ktstr.scenario.CgroupDef;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.work.WorkType;
import java.util.List;

/** The original tool's two EEVDF acceptance tests (spec §12), as a user would write them. */
public class EevdfBasicsTest {

    /** Boots, does nothing, and must tear down within 5 s. */
    @KtstrTest(numaNodes = 1, llcs = 1, cores = 1, threads = 1, memoryMb = 256, cleanupBudgetMs = 5000)
    public AssertResult eevdf_empty_run(Ctx ctx) {
        return AssertResult.pass();
    }

    /** 16 bursty workers on 8 CPUs: nobody may wait 2 s, spread stays under 80 %. */
    @KtstrTest(numaNodes = 1, llcs = 1, cores = 4, threads = 2, maxGapMs = 2000, maxSpreadPct = 80)
    public AssertResult eevdf_burst_oversubscription(Ctx ctx) {
        return Scenarios.executeDefs(ctx, List.of(
                CgroupDef.named("cg_0").workers(16).workType(WorkType.bursty(1, 0))));
    }
}
