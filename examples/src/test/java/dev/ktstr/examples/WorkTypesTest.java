package dev.ktstr.examples;

import dev.ktstr.scenario.CgroupDef;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.work.Phase;
import dev.ktstr.scenario.work.WorkType;
import java.util.List;

/** One VM per work type under EEVDF: each loop runs in real worker processes and passes the default checks. */
public class WorkTypesTest {

    private static AssertResult run(Ctx ctx, WorkType type, int workers) {
        return Scenarios.executeDefs(ctx, List.of(CgroupDef.named("cg_0").workers(workers).workType(type)));
    }

    @KtstrTest(cores = 2) public AssertResult work_cpu_spin(Ctx ctx) { return run(ctx, WorkType.cpuSpin(), 2); }
    @KtstrTest(cores = 2) public AssertResult work_yield_heavy(Ctx ctx) { return run(ctx, WorkType.yieldHeavy(), 2); }
    @KtstrTest(cores = 2) public AssertResult work_mixed(Ctx ctx) { return run(ctx, WorkType.mixed(), 2); }
    @KtstrTest(cores = 2) public AssertResult work_io_sync(Ctx ctx) { return run(ctx, WorkType.ioSync(), 2); }
    @KtstrTest(cores = 2) public AssertResult work_bursty(Ctx ctx) { return run(ctx, WorkType.bursty(5, 5), 2); }
    @KtstrTest(cores = 2) public AssertResult work_pipe_io(Ctx ctx) { return run(ctx, WorkType.pipeIo(1024), 2); }
    @KtstrTest(cores = 2) public AssertResult work_futex_ping_pong(Ctx ctx) { return run(ctx, WorkType.futexPingPong(1024), 2); }
    @KtstrTest(cores = 2) public AssertResult work_cache_pressure(Ctx ctx) { return run(ctx, WorkType.cachePressure(256, 64), 2); }
    @KtstrTest(cores = 2) public AssertResult work_cache_yield(Ctx ctx) { return run(ctx, WorkType.cacheYield(256, 64), 2); }
    @KtstrTest(cores = 2) public AssertResult work_cache_pipe(Ctx ctx) { return run(ctx, WorkType.cachePipe(256, 1024), 2); }
    // Fan-out groups are asymmetric by design: one messenger spins and wakes, two receivers block
    // between wakes, so their CPU shares differ even under a fair scheduler (measured 35-78% of a
    // CPU each on a loaded TCG host). The spread limit is widened; gaps and stalls keep their defaults.
    @KtstrTest(cores = 2, maxSpreadPct = 60) public AssertResult work_futex_fan_out(Ctx ctx) { return run(ctx, WorkType.futexFanOut(2, 1024), 3); }
    @KtstrTest(cores = 2, maxSpreadPct = 60) public AssertResult work_fan_out_compute(Ctx ctx) { return run(ctx, WorkType.fanOutCompute(2, 64, 4, 100), 3); }
    @KtstrTest(cores = 2) public AssertResult work_sequence(Ctx ctx) {
        return run(ctx, WorkType.sequence(Phase.spinMs(5), Phase.sleepMs(2), Phase.yieldMs(1)), 2);
    }
    @KtstrTest(cores = 2) public AssertResult work_fork_exit(Ctx ctx) { return run(ctx, WorkType.forkExit(), 2); }
    @KtstrTest(cores = 2) public AssertResult work_nice_sweep(Ctx ctx) { return run(ctx, WorkType.niceSweep(), 2); }
    @KtstrTest(cores = 2) public AssertResult work_affinity_churn(Ctx ctx) { return run(ctx, WorkType.affinityChurn(1024), 2); }
    @KtstrTest(cores = 2) public AssertResult work_policy_churn(Ctx ctx) { return run(ctx, WorkType.policyChurn(1024), 2); }
    @KtstrTest(cores = 2) public AssertResult work_page_fault_churn(Ctx ctx) { return run(ctx, WorkType.pageFaultChurn(1024, 16, 1024), 2); }
    @KtstrTest(cores = 2) public AssertResult work_mutex_contention(Ctx ctx) { return run(ctx, WorkType.mutexContention(2, 256, 1024), 2); }
    @KtstrTest(cores = 2) public AssertResult work_custom(Ctx ctx) { return run(ctx, WorkType.custom(SpinAndNapWorker.class), 2); }
}
