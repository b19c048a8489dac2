package dev.ktstr.guest.agent;

import dev.ktstr.guest.cgroup.CgroupManager;
import dev.ktstr.guest.worker.WorkerCommand;
import dev.ktstr.guest.worker.WorkerHostPool;
import dev.ktstr.guest.worker.WorkerLaunch;
import dev.ktstr.protocol.guest.GuestPhases;
import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.guest.ExitInfo;
import dev.ktstr.protocol.guest.GuestJob;
import dev.ktstr.protocol.guest.Hello;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.verify.AssertDetail;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One test run inside the guest: hello, mounts, scheduler, test method, result, teardown, exit.
 * Every wait is bounded by the job's {@link dev.ktstr.protocol.guest.Deadlines}; the test method
 * runs on its own thread so a wedged test is reported as a timeout and torn down, never hangs.
 */
public final class Agent {
    public static final String VERSION = "0.1.0";

    /**
     * @param guest      true inside the VM: check mounts, use real cgroups under /sys/fs/cgroup
     * @param runDir     scratch directory for worker IPC (removed at the end)
     * @param schedLog   scheduler stdout+stderr
     * @param schedExt   /sys/kernel/sched_ext (or a fake in tests)
     */
    public record Options(boolean guest, Path runDir, Path schedLog, Path schedExt) {
        public static Options inGuest() {
            return new Options(true, Path.of("/tmp/ktstr-run"), Path.of("/tmp/sched.log"), SchedulerSupervisor.SCHED_EXT);
        }
    }

    private final FrameSink sink;
    private final Options options;
    private final long jvmStartupMs;
    private WorkerHostPool pool;
    private Long mountsMs;
    private long jobReadMs = -1;
    private TestAhead testAhead;
    private Long schedulerAttachMs;
    private Long spawnMs;
    private Long collectionMs;
    private int workers;
    private long scenarioStart;
    private long testEnd;

    public Agent(FrameSink sink, Options options, long jvmStartupMs) {
        this.sink = sink;
        this.options = options;
        this.jvmStartupMs = jvmStartupMs;
    }

    public void hello() {
        String release = "";
        try {
            release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (Exception ignored) {
            // non-Linux dev machine
        }
        sink.json(FrameType.HELLO, new Hello(VERSION, release, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getRuntimeMXBean().getStartTime(), jvmStartupMs, AgentClock.uptimeMs(), Runtime.version().toString()));
    }

    /** Runs the job; returns the exit code (also sent as EXIT). */
    public int run(GuestJob job) {
        if (job.schemaVersion() != GuestJob.SCHEMA_VERSION) {
            return exit(ExitInfo.AGENT_ERROR, "job schema version " + job.schemaVersion() + " is not " + GuestJob.SCHEMA_VERSION
                    + "; rebuild the initramfs with the same ktstr version as the agent");
        }
        // The config conversion and the test class's loading are seconds of cold code in the guest JVM: they run
        // while the agent mounts and the scheduler attaches, and runTest waits only for what is left.
        testAhead = TestAhead.start(job, Thread.currentThread().getContextClassLoader(), sink::log);
        long t0 = System.nanoTime();
        if (options.guest()) {
            try {
                for (String w : GuestMounts.ensure()) sink.log("mounts: " + w);
            } catch (Exception e) {
                return exit(ExitInfo.AGENT_ERROR, "guest mounts: " + e.getMessage());
            }
        }
        mountsMs = msSince(t0);
        if (pool == null) prestartWorkerHosts(topologyCpus(job));
        SchedulerSupervisor sched = null;
        if (job.scheduler() != null) {
            sched = new SchedulerSupervisor(job.scheduler(), job.deadlines(), sink, options.schedLog(), options.schedExt());
            try {
                long ts = System.nanoTime();
                SchedExit failed = sched.start();
                schedulerAttachMs = msSince(ts);
                if (failed != null) {
                    sink.json(FrameType.RESULT, AssertResult.fail(DetailKind.SCHEDULER_DIED, "scheduler " + job.scheduler().name() + " "
                            + failed.reason() + ": " + failed.detail() + tailText(failed.logTail())));
                    sched.stop();
                    if (pool != null) pool.close();
                    return exit(ExitInfo.SCHEDULER_FAILED, "scheduler did not start: " + failed.reason());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sched.stop();
                if (pool != null) pool.close();
                return exit(ExitInfo.AGENT_ERROR, "interrupted while starting the scheduler");
            }
        }
        int code;
        try {
            code = runTest(job, sched);
        } finally {
            if (sched != null) sched.stop();
        }
        return exit(code, code == ExitInfo.PASS ? "passed" : "see RESULT");
    }

    /**
     * Starts worker host JVMs ahead of need, so they warm up while the agent reads the job, mounts,
     * attaches the scheduler and builds cgroups: one per CPU up to two (most steps spawn one or two
     * groups; more groups start their own). None on one CPU: there a JVM warming up next to the
     * agent only slows the agent down, and a test without workers would pay for it.
     */
    public void prestartWorkerHosts(int cpus) {
        if (pool != null) return;
        try {
            pool = new WorkerHostPool(WorkerCommand.fromCurrentJvm(), Files.createDirectories(options.runDir().resolve("hosts")));
            int n = cpus >= 2 ? 2 : 0;
            if (n > 0) pool.prestart(n);
            warmFrames();
        } catch (Exception e) {
            sink.log("worker hosts not started ahead: " + e.getMessage());
        }
    }

    /** The JSON of the frames the scenario sends, serialised once off the critical path (Jackson's first use is seconds under TCG). */
    private void warmFrames() {
        Thread t = new Thread(() -> {
            try {
                AgentJson.bytes(dev.ktstr.scenario.report.WorkerReport.sentinel(1, "warm", 0, "CpuSpin",
                        dev.ktstr.scenario.report.ExitInfo.timedOut()));
                AgentJson.bytes(new dev.ktstr.protocol.guest.Stimulus(0, 0, "warm", "", java.util.Map.of("elapsedMs", 0L)));
                AgentJson.bytes(AssertResult.pass());
            } catch (RuntimeException ignored) {
                // only a warm-up
            }
        }, "frame-json-warm");
        t.setDaemon(true);
        t.start();
    }

    void jobReadMs(long ms) {
        this.jobReadMs = ms;
    }

    static int topologyCpus(GuestJob job) {
        try {
            return Topology.parse(job.topology()).totalCpus();
        } catch (RuntimeException e) {
            return 1;
        }
    }

    private static long msSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private int runTest(GuestJob job, SchedulerSupervisor sched) {
        long tc = System.nanoTime();
        TestAhead.Prepared prepared;
        try {
            prepared = (testAhead != null ? testAhead : TestAhead.start(job, Thread.currentThread().getContextClassLoader(), sink::log)).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sink.json(FrameType.RESULT, AssertResult.failMsg("agent interrupted while preparing the test"));
            return ExitInfo.AGENT_ERROR;
        }
        TestConfig config = prepared.config();
        long configMs = msSince(tc);
        Topology topo = config.topology();
        String harnessParent = job.scheduler() != null && job.scheduler().cgroupParent() != null
                ? job.scheduler().cgroupParent().substring(1) : "ktstr";
        CgroupManager cgroups = null;
        GuestBackend backend = null;
        AtomicReference<Object> outcome = new AtomicReference<>();
        try {
            if (options.guest()) {
                cgroups = new CgroupManager(dev.ktstr.guest.cgroup.CgroupFs.REAL, CgroupManager.DEFAULT_ROOT, harnessParent,
                        CgroupManager.DEFAULT_CONTROLLERS, Duration.ofMillis(job.deadlines().cgroupWriteMs()), sink::log);
                cgroups.setup();
            }
            SchedulerSupervisor s = sched;
            if (pool == null) pool = new WorkerHostPool(WorkerCommand.fromCurrentJvm(), Files.createDirectories(options.runDir().resolve("hosts")));
            backend = new GuestBackend(topo, cgroups, pool, sink, options.runDir(), job.deadlines().workerReadyMs(),
                    s == null ? () -> true : s::alive, s == null ? -1 : s.pid(),
                    job.workConservationWatchdog().enabled() ? job.workConservationWatchdog().gapMsOr(WorkerLaunch.DEFAULT_WATCHDOG_GAP_MS) : 0,
                    s == null ? null : s::recordWatchdog);
            Method m = prepared.method();
            Ctx ctx = Ctx.builder(backend, config).testName(job.testMethod()).settle(options.guest() ? Ctx.VM_SETTLE : Duration.ZERO)
                    .workTypeOverride(job.workTypeOverride() == null ? null : dev.ktstr.scenario.work.WorkType.fromName(job.workTypeOverride()))
                    .build();
            scenarioStart = System.nanoTime();
            sink.log("agent setup: job read " + jobReadMs + " ms, mounts " + mountsMs + " ms, scheduler attach " + (schedulerAttachMs == null ? "-" : schedulerAttachMs + " ms")
                    + ", test config and method " + prepared.ms() + " ms ahead (" + configMs + " ms waited for), cgroups and backend "
                    + (scenarioStart - tc) / 1_000_000 + " ms in all");
            Thread t = new Thread(() -> {
                try {
                    outcome.set(TestInvoker.invoke(m, ctx));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            }, "ktstr-test");
            t.setDaemon(true);
            t.start();
            t.join(job.deadlines().testTimeoutMs());
            if (t.isAlive()) {
                String stack = stackOf(t);
                t.interrupt();
                sink.json(FrameType.RESULT, AssertResult.failMsg("test " + job.testMethod() + " did not finish within "
                        + job.deadlines().testTimeoutMs() + " ms; stack: " + stack));
                return ExitInfo.TIMED_OUT;
            }
        } catch (Throwable e) {
            outcome.set(e);
        } finally {
            testEnd = System.nanoTime();
            if (backend != null) {
                spawnMs = backend.spawnMs();
                collectionMs = backend.collectionMs();
                workers = backend.workersStarted();
                backend.close();
            } else if (pool != null) {
                pool.close();
            }
            if (cgroups != null) {
                try {
                    cgroups.cleanupAll();
                } catch (RuntimeException e) {
                    sink.log("cgroup cleanup: " + e.getMessage());
                }
                cgroups.close();
            }
        }
        Object o = outcome.get();
        AssertResult result;
        if (o instanceof AssertResult r) {
            result = r;
        } else {
            Throwable e = (Throwable) o;
            result = AssertResult.failMsg("test " + job.testMethod() + " threw " + stackText(e));
        }
        if (sched != null && (sched.death() != null || !sched.alive())) {
            SchedExit d = sched.death();
            result = result.withDetail(new AssertDetail(DetailKind.SCHEDULER_DIED, "scheduler " + job.scheduler().name() + " died during the test: "
                    + (d == null ? "?" : d.reason() + ": " + d.detail())), true); // the log and sched_ext's account travel in SCHED_EXIT
        }
        sink.json(FrameType.RESULT, result);
        return result.passed() ? ExitInfo.PASS : ExitInfo.TEST_FAILED;
    }

    private int exit(int code, String reason) {
        if (pool != null) pool.close();
        removeRunDir();
        sink.json(FrameType.PHASES, new GuestPhases(jvmStartupMs, mountsMs, schedulerAttachMs, spawnMs, workloadMs(),
                collectionMs, testEnd == 0 ? null : msSince(testEnd), pool == null ? 0 : pool.started(), workers,
                "threads", System.getenv("KTSTR_WORKER_AOT")));
        sink.json(FrameType.EXIT, new ExitInfo(code, reason, AgentClock.uptimeMs()));
        return code;
    }

    /** The scratch directory (worker IPC, host launches) goes with the run, whichever way it ended. */
    private void removeRunDir() {
        if (!Files.exists(options.runDir())) return;
        try (java.util.stream.Stream<Path> s = Files.walk(options.runDir())) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            sink.log("could not remove " + options.runDir() + ": " + e.getMessage());
        }
    }

    private Long workloadMs() {
        return scenarioStart == 0 || testEnd == 0 ? null : (testEnd - scenarioStart) / 1_000_000;
    }

    private static String tailText(String tail) {
        return tail == null || tail.isBlank() ? "" : "\n--- scheduler log tail ---\n" + tail;
    }

    static String stackText(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private static String stackOf(Thread t) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement el : t.getStackTrace()) b.append("\n  at ").append(el);
        return b.toString();
    }
}
