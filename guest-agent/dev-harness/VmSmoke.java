package smoke;

// Dev harness test method (see run-vm-smoke.sh): not part of the product build.

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.runtime.ScenarioBackend;
import dev.ktstr.scenario.runtime.WorkerHandle;
import dev.ktstr.scenario.runtime.WorkerSpec;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

public class VmSmoke {
    static List<WorkerSpec> specs(String cg, WorkType t, int n) {
        List<WorkerSpec> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(new WorkerSpec(cg, i, n, t, SchedPolicy.NORMAL, new TreeSet<>(), MemPolicy.DEFAULT, 0, 0));
        return l;
    }

    public static AssertResult cgroupSpin(Ctx ctx) throws Exception {
        ScenarioBackend b = ctx.backend();
        b.scenarioStarted();
        b.createCgroup("cg_0");
        b.setCpuset("cg_0", new TreeSet<>(List.of(1)), new TreeSet<>());
        b.createCgroup("cg_1/inner");
        b.setCpuset("cg_1/inner", new TreeSet<>(List.of(0)), new TreeSet<>());
        long t0 = System.nanoTime();
        List<WorkerHandle> spin = b.spawnWorkers(specs("cg_0", WorkType.cpuSpin(), 2));
        List<WorkerHandle> pipe = b.spawnWorkers(specs("cg_1/inner", WorkType.pipeIo(1024), 2));
        b.log("spawned 4 workers (2 spawn calls) in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        String procs = Files.readString(Path.of("/sys/fs/cgroup/ktstr/cg_0/cgroup.procs")).trim().replace('\n', ',');
        b.log("cg_0 cgroup.procs before release: " + procs);
        b.release(spin);
        b.release(pipe);
        b.sleep(ctx.duration());
        b.log("iterations before stop: " + b.iterations(spin) + " / " + b.iterations(pipe));
        List<WorkerReport> rs = new ArrayList<>(b.stopAndCollect(spin, Duration.ofSeconds(5)));
        rs.addAll(b.stopAndCollect(pipe, Duration.ofSeconds(5)));
        b.removeCgroup("cg_0");
        b.removeCgroup("cg_1");
        b.scenarioEnded((System.nanoTime() - t0) / 1_000_000);
        List<String> problems = new ArrayList<>();
        for (WorkerReport r : rs) {
            b.log(r.workType() + " pid " + r.pid() + " cg " + r.cgroup() + ": units=" + r.workUnits() + " cpu=" + r.cpuTimeNs() / 1_000_000
                    + "ms wall=" + r.wallTimeNs() / 1_000_000 + "ms offcpu=" + r.offCpuNs() / 1_000_000 + "ms maxgap=" + r.maxGapMs()
                    + "ms cpus=" + r.cpusUsed() + " migr=" + r.migrationCount() + " wake=" + r.wakeSampleTotal() + " runDelay="
                    + r.schedstatRunDelayNs() / 1_000_000 + "ms jvm=" + r.jvm());
            if (!r.completed()) problems.add(r.pid() + " incomplete: " + r.exitInfo());
            else if (r.workUnits() == 0) problems.add(r.pid() + " starved");
            int want = r.cgroup().equals("cg_0") ? 1 : 0;
            if (r.completed() && !r.cpusUsed().equals(new TreeSet<>(List.of(want)))) problems.add(r.pid() + " ran on " + r.cpusUsed() + ", cpuset is " + want);
        }
        if (procs.split(",").length != 2) problems.add("cg_0 held " + procs + " before release, expected the 2 spin workers");
        if (!b.schedulerAlive()) problems.add("scheduler died");
        return problems.isEmpty() ? AssertResult.pass() : AssertResult.failMsg(String.join("; ", problems));
    }
}
