package dev.ktstr.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.guest.worker.WorkerCommand;
import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.report.ExitInfo;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.runtime.WorkerHandle;
import dev.ktstr.scenario.runtime.WorkerSpec;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real worker host JVMs on the host, two-phase start without cgroup placement (host mode). */
class WorkerProcessTest {
    @TempDir
    Path tmp;

    private GuestBackend backend(RecordingSink sink) throws Exception {
        return new GuestBackend(Topology.parse("1n1l2c1t"), null, WorkerCommand.fromCurrentJvm(), sink, tmp.resolve("run"), 20_000,
                () -> true, -1);
    }

    private static List<WorkerSpec> specs(WorkType t, int n) {
        List<WorkerSpec> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(new WorkerSpec("", i, n, t, SchedPolicy.NORMAL, new TreeSet<>(), MemPolicy.DEFAULT, 0, 0));
        return l;
    }

    @Test
    void cpuSpinWorkersRunOnlyAfterReleaseAndReport() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (GuestBackend b = backend(sink)) {
            long t0 = System.nanoTime();
            List<WorkerHandle> ws = b.spawnWorkers(specs(WorkType.cpuSpin(), 2));
            long spawnMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("spawn+ready of 2 worker JVMs: " + spawnMs + " ms");
            Thread.sleep(200);
            assertThat(b.iterations(ws)).as("no iterations before release").isZero();
            b.release(ws);
            Thread.sleep(700);
            long mid = b.iterations(ws);
            assertThat(mid).as("live iteration counters advance").isPositive();
            List<WorkerReport> rs = b.stopAndCollect(ws, Duration.ofSeconds(5));
            assertThat(rs).hasSize(2);
            for (WorkerReport r : rs) {
                assertThat(r.completed()).as("completed: %s", r.exitInfo()).isTrue();
                assertThat(r.workUnits()).isPositive().isEqualTo(r.iterations() * 1024);
                assertThat(r.wallTimeNs()).isGreaterThan(500_000_000L);
                assertThat(r.cpuTimeNs()).isPositive();
                assertThat(r.cpusUsed()).isNotEmpty();
                assertThat(r.pid()).isIn(ws.get(0).pid(), ws.get(1).pid());
                System.out.println("worker " + r.pid() + ": units=" + r.workUnits() + " cpu=" + r.cpuTimeNs() / 1_000_000 + "ms wall="
                        + r.wallTimeNs() / 1_000_000 + "ms maxGap=" + r.maxGapMs() + "ms migrations=" + r.migrationCount() + " jvm=" + r.jvm());
            }
            assertThat(sink.of(FrameType.WORKER_REPORT)).hasSize(2);
            for (WorkerHandle h : ws) assertThat(ProcessHandle.of(h.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void pipePairExchangesAndRecordsWakeLatency() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (GuestBackend b = backend(sink)) {
            List<WorkerHandle> ws = b.spawnWorkers(specs(WorkType.pipeIo(1024), 2));
            b.release(ws);
            Thread.sleep(800);
            List<WorkerReport> rs = b.stopAndCollect(ws, Duration.ofSeconds(5));
            for (WorkerReport r : rs) {
                assertThat(r.completed()).as("completed: %s", r.exitInfo()).isTrue();
                assertThat(r.wakeSampleTotal()).isPositive();
                assertThat(r.wakeLatencies().getTotalCount()).isEqualTo(r.wakeSampleTotal());
                System.out.println("PipeIo worker " + r.pid() + ": exchanges=" + r.iterations() + " p50 wake="
                        + r.wakeLatencies().getValueAtPercentile(50) / 1000 + "us");
            }
            // both partners did about as many exchanges (they block on each other)
            assertThat(Math.abs(rs.get(0).iterations() - rs.get(1).iterations())).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void futexPingPongAndMutexGroupsStopCleanly() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (GuestBackend b = backend(sink)) {
            List<WorkerHandle> pp = b.spawnWorkers(specs(WorkType.futexPingPong(1024), 2));
            List<WorkerHandle> mx = b.spawnWorkers(specs(WorkType.mutexContention(2, 256, 1024), 2));
            b.release(pp);
            b.release(mx);
            Thread.sleep(800);
            List<WorkerReport> rs = new ArrayList<>(b.stopAndCollect(pp, Duration.ofSeconds(5)));
            rs.addAll(b.stopAndCollect(mx, Duration.ofSeconds(5)));
            for (WorkerReport r : rs) {
                assertThat(r.completed()).as("%s completed: %s", r.workType(), r.exitInfo()).isTrue();
                assertThat(r.iterations()).isPositive();
            }
            assertThat(rs.get(0).wakeSampleTotal()).isPositive();
        }
    }

    @Test
    void unreleasedWorkerThatNeverReportsGetsASentinel() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (GuestBackend b = backend(sink)) {
            List<WorkerHandle> ws = b.spawnWorkers(specs(WorkType.cpuSpin(), 1));
            // stop without release: the worker exits without a report
            List<WorkerReport> rs = b.stopAndCollect(ws, Duration.ofSeconds(3));
            assertThat(rs.get(0).completed()).isFalse();
            assertThat(rs.get(0).exitInfo().kind()).isEqualTo(ExitInfo.Kind.EXITED);
            assertThat(rs.get(0).exitInfo().message()).contains("stopped before release");
        }
    }

    @Test
    void setupFailureIsReportedNotHung() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (GuestBackend b = backend(sink)) {
            // CPU 1000 does not exist: sched_setaffinity fails with EINVAL
            WorkerSpec bad = new WorkerSpec("", 0, 1, WorkType.cpuSpin(), SchedPolicy.NORMAL, new TreeSet<>(List.of(1000)),
                    MemPolicy.DEFAULT, 0, 0);
            List<WorkerHandle> ws = b.spawnWorkers(List.of(bad));
            b.release(ws);
            List<WorkerReport> rs = b.stopAndCollect(ws, Duration.ofSeconds(5));
            assertThat(rs.get(0).completed()).isFalse();
            assertThat(rs.get(0).exitInfo().kind()).isEqualTo(ExitInfo.Kind.SETUP_FAILED);
            assertThat(rs.get(0).exitInfo().message()).contains("sched_setaffinity");
        }
        assertThat(Files.exists(tmp.resolve("run"))).as("run dir removed on close").isFalse();
    }

    private static String taskFile(int pid, int tid, String name) throws Exception {
        return Files.readString(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid), name)).trim();
    }

    /** Field 19 of /proc/.../stat (after the parenthesised comm): the nice value. */
    private static int niceOf(int pid, int tid) throws Exception {
        String stat = taskFile(pid, tid, "stat");
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(f[16]);
    }

    @Test
    void oneGroupRunsAsThreadsOfOneHostEachWithItsOwnCommNiceAndClock() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (GuestBackend b = backend(sink)) {
            List<WorkerSpec> specs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                specs.add(new WorkerSpec("cg_x", i, 3, WorkType.cpuSpin(), SchedPolicy.NORMAL, new TreeSet<>(), MemPolicy.DEFAULT, 0, i * 3));
            }
            List<WorkerHandle> ws = b.spawnWorkers(specs);
            assertThat(ws).extracting(WorkerHandle::pid).containsOnly(ws.get(0).pid());
            b.release(ws);
            Thread.sleep(600);
            int pid = ws.get(0).pid();
            List<Integer> tids = new ArrayList<>();
            for (WorkerHandle h : ws) {
                int tid = ((dev.ktstr.guest.worker.HostedWorker) h).tid();
                tids.add(tid);
                assertThat(tid).isNotEqualTo(pid);
                assertThat(taskFile(pid, tid, "comm")).isEqualTo("kw-cg_x-" + h.spec().workerIndex());
                assertThat(niceOf(pid, tid)).as("nice of worker %d", h.spec().workerIndex()).isEqualTo(h.spec().nice());
            }
            assertThat(tids).doesNotHaveDuplicates();
            List<WorkerReport> rs = b.stopAndCollect(ws, Duration.ofSeconds(5));
            for (WorkerReport r : rs) {
                assertThat(r.completed()).as("completed: %s", r.exitInfo()).isTrue();
                assertThat(r.pid()).isEqualTo(pid);
                assertThat(r.tid()).isIn(tids);
                // each thread's own CPU clock: on 2 host CPUs 3 spinners cannot each have had the whole wall time
                assertThat(r.cpuTimeNs()).isPositive().isLessThanOrEqualTo(r.wallTimeNs() + 50_000_000L);
            }
            assertThat(rs).extracting(WorkerReport::tid).doesNotHaveDuplicates();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void workThatNeedsItsOwnProcessGetsOneHostPerWorker() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (GuestBackend b = backend(sink)) {
            List<WorkerHandle> fork = b.spawnWorkers(specs(WorkType.forkExit(), 2));
            List<WorkerSpec> asked = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                asked.add(new WorkerSpec("", i, 2, WorkType.cpuSpin(), SchedPolicy.NORMAL, new TreeSet<>(), MemPolicy.DEFAULT, 0, 0, true));
            }
            List<WorkerHandle> spin = b.spawnWorkers(asked);
            assertThat(fork.get(0).pid()).isNotEqualTo(fork.get(1).pid());
            assertThat(spin.get(0).pid()).isNotEqualTo(spin.get(1).pid());
            b.release(fork);
            b.release(spin);
            Thread.sleep(500);
            List<WorkerReport> rs = new ArrayList<>(b.stopAndCollect(fork, Duration.ofSeconds(5)));
            rs.addAll(b.stopAndCollect(spin, Duration.ofSeconds(5)));
            for (WorkerReport r : rs) assertThat(r.completed()).as("%s: %s", r.workType(), r.exitInfo()).isTrue();
            assertThat(rs.get(0).iterations()).as("ForkExit spawned children").isPositive();
        }
    }

    @Test
    void groupsOfOneStepSpawnTogether() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (GuestBackend b = backend(sink)) {
            List<WorkerSpec> a = new ArrayList<>();
            List<WorkerSpec> c = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                a.add(new WorkerSpec("cg_a", i, 2, WorkType.cpuSpin(), SchedPolicy.NORMAL, new TreeSet<>(), MemPolicy.DEFAULT, 0, 0));
                c.add(new WorkerSpec("cg_c", i, 2, WorkType.pipeIo(64), SchedPolicy.NORMAL, new TreeSet<>(), MemPolicy.DEFAULT, 0, 0));
            }
            List<List<WorkerHandle>> gs = b.spawnGroups(List.of(a, c));
            assertThat(gs).hasSize(2);
            assertThat(gs.get(0).get(0).pid()).isNotEqualTo(gs.get(1).get(0).pid());
            assertThat(sink.logs()).anyMatch(l -> l.contains("'cg_a'") && l.contains("'cg_c'") && l.contains("2 worker host(s)"));
            List<WorkerHandle> all = new ArrayList<>(gs.get(0));
            all.addAll(gs.get(1));
            b.release(all);
            Thread.sleep(500);
            for (WorkerReport r : b.stopAndCollect(all, Duration.ofSeconds(5))) assertThat(r.completed()).as("%s", r.exitInfo()).isTrue();
        }
    }
}
