package dev.ktstr.guest.agent;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.runtime.WorkerHandle;
import dev.ktstr.scenario.runtime.WorkerSpec;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Test methods the agent tests run by name, as the guest would. */
public class SampleTests {
    static AssertResult spinsTwoWorkers(Ctx ctx) throws Exception {
        var b = ctx.backend();
        List<WorkerSpec> specs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            specs.add(new WorkerSpec("", i, 2, WorkType.bursty(20, 10), SchedPolicy.NORMAL, new TreeSet<>(), MemPolicy.DEFAULT, 0, 0));
        }
        b.scenarioStarted();
        List<WorkerHandle> ws = b.spawnWorkers(specs);
        b.release(ws);
        b.sleep(Duration.ofMillis(400));
        List<WorkerReport> rs = b.stopAndCollect(ws, Duration.ofSeconds(5));
        b.scenarioEnded(400);
        for (WorkerReport r : rs) if (!r.completed() || r.workUnits() == 0) return AssertResult.failMsg("worker " + r.pid() + " starved: " + r);
        return b.schedulerAlive() ? AssertResult.pass() : AssertResult.failMsg("scheduler died");
    }

    AssertResult failsOnPurpose(Ctx ctx) {
        return AssertResult.failMsg("nope, duration was " + ctx.duration().toSeconds() + " s");
    }

    static AssertResult throwsUp(Ctx ctx) {
        throw new IllegalStateException("kaboom");
    }

    static AssertResult hangs(Ctx ctx) throws InterruptedException {
        Thread.sleep(60_000);
        return AssertResult.pass();
    }

    static AssertResult sleepsWhileSchedulerRuns(Ctx ctx) throws InterruptedException {
        Thread.sleep(1_500);
        return ctx.backend().schedulerAlive() ? AssertResult.pass() : AssertResult.failMsg("scheduler not alive at the end");
    }
}
