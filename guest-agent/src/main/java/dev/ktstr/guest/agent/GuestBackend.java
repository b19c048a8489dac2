package dev.ktstr.guest.agent;

import dev.ktstr.guest.cgroup.CgroupException;
import dev.ktstr.guest.cgroup.CgroupManager;
import dev.ktstr.guest.sys.CpuMask;
import dev.ktstr.guest.sys.LibC;
import dev.ktstr.guest.worker.HostLaunch;
import dev.ktstr.guest.worker.HostedWorker;
import dev.ktstr.guest.worker.WorkerCommand;
import dev.ktstr.guest.worker.WorkerHost;
import dev.ktstr.guest.worker.WorkerHostPool;
import dev.ktstr.guest.worker.WorkerLaunch;
import dev.ktstr.protocol.guest.WatchdogEvent;
import dev.ktstr.scenario.work.ProcessPerWorker;
import dev.ktstr.scenario.work.WorkType;
import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.guest.Stimulus;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.Payload;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.runtime.PayloadExit;
import dev.ktstr.scenario.runtime.PayloadHandle;
import dev.ktstr.scenario.runtime.ScenarioBackend;
import dev.ktstr.scenario.runtime.ScenarioBackendException;
import dev.ktstr.scenario.runtime.StimulusEvent;
import dev.ktstr.scenario.runtime.WorkerHandle;
import dev.ktstr.scenario.runtime.WorkerSpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The real {@link ScenarioBackend}: cgroups through {@link CgroupManager}, workers as threads of one
 * worker host JVM per spawn group (a process each where the work needs it) with the two-phase start,
 * frames to the host. With {@code cgroups == null} (host
 * mode, used by unit tests) placement is skipped and everything else is real.
 */
public final class GuestBackend implements ScenarioBackend, AutoCloseable {
    /** Live iteration counter slots (8 bytes each) shared with the workers. */
    static final int COUNTER_SLOTS = 4096;

    private final Topology topology;
    private final CgroupManager cgroups;
    private final FrameSink sink;
    private final Path runDir;
    private final long workerReadyMs;
    private final BooleanSupplier schedulerAlive;
    private final int schedulerPid;
    private final Path counterFile;
    private final MappedByteBuffer counters;
    private final WorkerHostPool pool;
    private final long watchdogGapMs;
    private final java.util.function.Consumer<WatchdogEvent> watchdogListener;
    private final List<HostedWorker> live = new ArrayList<>();
    private final List<Process> payloads = new ArrayList<>();
    private int nextSlot;
    private int spawnCalls;
    private long spawnMs;
    private long collectionMs;
    private int workers;

    public GuestBackend(Topology topology, CgroupManager cgroups, WorkerCommand workerCommand, FrameSink sink, Path runDir,
                        long workerReadyMs, BooleanSupplier schedulerAlive, int schedulerPid) throws IOException {
        this(topology, cgroups, new WorkerHostPool(workerCommand, Files.createDirectories(runDir)), sink, runDir, workerReadyMs,
                schedulerAlive, schedulerPid, WorkerLaunch.DEFAULT_WATCHDOG_GAP_MS, null);
    }

    /**
     * @param pool           where worker hosts come from (possibly started ahead); closed with this backend
     * @param watchdogGapMs  work-conservation watchdog threshold (0: off)
     * @param watchdogListener told each time the watchdog fires (may be null)
     */
    public GuestBackend(Topology topology, CgroupManager cgroups, WorkerHostPool pool, FrameSink sink, Path runDir,
                        long workerReadyMs, BooleanSupplier schedulerAlive, int schedulerPid, long watchdogGapMs,
                        java.util.function.Consumer<WatchdogEvent> watchdogListener) throws IOException {
        this.topology = topology;
        this.cgroups = cgroups;
        this.sink = sink;
        this.runDir = Files.createDirectories(runDir);
        this.workerReadyMs = workerReadyMs;
        this.schedulerAlive = schedulerAlive;
        this.schedulerPid = schedulerPid;
        this.counterFile = runDir.resolve("iteration-counters");
        try (RandomAccessFile f = new RandomAccessFile(counterFile.toFile(), "rw")) {
            f.setLength(COUNTER_SLOTS * 8L);
            counters = f.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, COUNTER_SLOTS * 8L);
        }
        this.watchdogGapMs = watchdogGapMs;
        this.watchdogListener = watchdogListener;
        this.pool = pool;
    }

    @Override
    public Topology topology() {
        return topology;
    }

    @Override
    public void createCgroup(String path) {
        if (cgroups == null || path.isEmpty()) return;
        try {
            cgroups.create(path);
        } catch (CgroupException e) {
            throw new ScenarioBackendException(e.getMessage(), e);
        }
    }

    @Override
    public void setCpuset(String path, SortedSet<Integer> cpus, SortedSet<Integer> mems) {
        if (cgroups == null) return;
        if (path.isEmpty()) throw new ScenarioBackendException("cannot set a cpuset on the harness root cgroup; use a named cgroup");
        try {
            if (cpus.isEmpty()) cgroups.clearCpuset(path);
            else cgroups.setCpuset(path, CpuMask.of(cpus));
            if (mems != null && !mems.isEmpty()) cgroups.setCpusetMems(path, CpuMask.of(mems));
        } catch (CgroupException e) {
            throw new ScenarioBackendException(e.getMessage(), e);
        }
    }

    @Override
    public void removeCgroup(String path) {
        if (cgroups == null || path.isEmpty()) return;
        try {
            cgroups.remove(path);
        } catch (CgroupException e) {
            throw new ScenarioBackendException(e.getMessage(), e);
        }
    }

    @Override
    public List<WorkerHandle> spawnWorkers(List<WorkerSpec> specs) {
        return spawnGroups(List.of(specs)).get(0);
    }

    /**
     * Starts (or takes pre-started) worker hosts for every group at once, hands each its launch,
     * waits until every worker of every group is READY, then places each host in its cgroup. One
     * host per group runs the group's workers as threads; workers that need a process of their own
     * get a host each.
     */
    @Override
    public List<List<WorkerHandle>> spawnGroups(List<List<WorkerSpec>> groups) {
        long t0 = System.nanoTime();
        List<List<WorkerHandle>> out = new ArrayList<>();
        List<WorkerHost> hosts = new ArrayList<>();
        List<String> hostCgroup = new ArrayList<>();
        try {
            for (List<WorkerSpec> specs : groups) {
                if (specs.isEmpty()) {
                    out.add(List.of());
                    continue;
                }
                String cgroup = specs.get(0).cgroup();
                for (WorkerSpec spec : specs) {
                    if (!spec.cgroup().equals(cgroup)) {
                        throw new ScenarioBackendException("one spawn group must target one cgroup: got '" + cgroup + "' and '" + spec.cgroup() + "'");
                    }
                }
                int call = ++spawnCalls;
                Path ipc = Files.createDirectories(runDir.resolve("spawn-" + call));
                boolean perProcess = specs.stream().anyMatch(sp -> sp.ownProcess() || customWantsProcess(sp.workType()));
                List<List<WorkerSpec>> perHost = perProcess ? specs.stream().map(List::of).toList() : List.of(specs);
                List<WorkerHandle> handles = new ArrayList<>();
                int h = 0;
                for (List<WorkerSpec> hostSpecs : perHost) {
                    WorkerHost host = pool.take();
                    hosts.add(host);
                    hostCgroup.add(cgroup);
                    host.onWatchdog(this::watchdogFired);
                    List<WorkerLaunch> launches = new ArrayList<>();
                    for (int i = 0; i < hostSpecs.size(); i++) {
                        WorkerSpec spec = hostSpecs.get(i);
                        int slot = nextSlot < COUNTER_SLOTS ? nextSlot++ : -1;
                        launches.add(new WorkerLaunch(spec, ipc.toString(), ipc.toString(), slot,
                                watchdogGapMs > 0 ? Math.max(0, schedulerPid) : 0, watchdogGapMs));
                        handles.add(new HostedWorker(host, i, spec, slot));
                    }
                    host.launch(new HostLaunch(launches, counterFile.toString()), ipc.resolve("host-" + call + "-" + h++ + ".json"));
                }
                out.add(handles);
            }
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(workerReadyMs);
            for (int i = 0; i < hosts.size(); i++) {
                String err = hosts.get(i).awaitReady(deadline);
                if (err != null) {
                    throw new ScenarioBackendException("spawning " + hosts.get(i).launched().workers().size() + " "
                            + hosts.get(i).launched().workers().get(0).spec().workType().name() + " worker(s) for cgroup '"
                            + hostCgroup.get(i) + "': " + err);
                }
            }
            long readyMs = (System.nanoTime() - t0) / 1_000_000;
            if (cgroups != null) {
                for (int i = 0; i < hosts.size(); i++) {
                    String cg = hostCgroup.get(i);
                    if (cg.isEmpty()) continue;
                    if (!cgroups.moveTask(cg, hosts.get(i).pid())) {
                        throw new ScenarioBackendException("worker host " + hosts.get(i).pid() + " vanished before it could be placed in cgroup '"
                                + cg + "'" + hosts.get(i).stderrTail());
                    }
                }
            }
            long totalMs = (System.nanoTime() - t0) / 1_000_000;
            spawnMs += totalMs;
            for (List<WorkerHandle> g : out) workers += g.size();
            StringBuilder b = new StringBuilder("spawned ");
            for (int i = 0; i < groups.size(); i++) {
                List<WorkerSpec> g = groups.get(i);
                if (g.isEmpty()) continue;
                b.append(i == 0 ? "" : ", ").append(g.size()).append(' ').append(g.get(0).workType().name()).append(" worker(s) for '")
                        .append(g.get(0).cgroup()).append('\'');
            }
            sink.log(b + " in " + totalMs + " ms (" + hosts.size() + " worker host(s), all ready after " + readyMs + " ms; " + pool.describe() + "; "
                    + String.join("; ", hosts.stream().map(WorkerHost::startDetail).toList()) + ")");
        } catch (IOException | RuntimeException e) {
            for (WorkerHost host : hosts) host.kill("spawn failed");
            if (e instanceof ScenarioBackendException sbe) throw sbe;
            throw new ScenarioBackendException("spawning workers failed: " + e.getMessage(), e);
        }
        synchronized (live) {
            for (List<WorkerHandle> g : out) for (WorkerHandle w : g) live.add((HostedWorker) w);
        }
        return out;
    }

    /** A Custom worker class annotated @ProcessPerWorker, read without initialising it. */
    private static boolean customWantsProcess(WorkType t) {
        if (!(t instanceof WorkType.Custom c)) return false;
        try {
            return Class.forName(c.className(), false, Thread.currentThread().getContextClassLoader())
                    .isAnnotationPresent(ProcessPerWorker.class);
        } catch (ClassNotFoundException | LinkageError e) {
            return false; // the worker's own load reports the missing class
        }
    }

    private void watchdogFired(WorkerHost host, WorkerHost.Watchdog w) {
        WorkerLaunch l = host.launched() == null || w.index() >= host.launched().workers().size() ? null : host.launched().workers().get(w.index());
        WatchdogEvent e = new WatchdogEvent(l == null ? "?" : l.spec().cgroup(), l == null ? w.index() : l.spec().workerIndex(), w.tid(),
                w.gapMs(), w.cpu(), w.thresholdMs(), Math.max(0, schedulerPid), w.guestUptimeMs());
        sink.json(FrameType.WATCHDOG, e);
        sink.log("work-conservation watchdog: worker " + e.workerIndex() + " of '" + e.cgroup() + "' (tid " + e.tid() + ") saw a "
                + e.gapMs() + " ms scheduling gap on CPU " + e.cpu() + " (threshold " + e.thresholdMs() + " ms): sent SIGUSR2 to scheduler pid "
                + e.schedulerPid());
        if (watchdogListener != null) watchdogListener.accept(e);
    }

    @Override
    public void release(List<WorkerHandle> workers) {
        Map<WorkerHost, List<Integer>> byHost = new LinkedHashMap<>();
        for (WorkerHandle h : workers) {
            HostedWorker w = proc(h);
            byHost.computeIfAbsent(w.host(), k -> new ArrayList<>()).add(w.index());
        }
        byHost.forEach(WorkerHost::release);
    }

    @Override
    public void setAffinity(List<WorkerHandle> workers, SortedSet<Integer> cpus) {
        BitSet set = cpus.isEmpty() ? allCpus() : CpuMask.of(cpus);
        long[] mask = CpuMask.toWords(set);
        for (WorkerHandle h : workers) {
            HostedWorker w = proc(h);
            if (LibC.sched_setaffinity(w.tid(), CpuMask.BYTES, mask) != 0) {
                int errno = LibC.errno();
                if (errno == 3) continue; // ESRCH: the worker is gone; its report will say why
                throw new ScenarioBackendException("sched_setaffinity(" + w.tid() + ", " + CpuMask.render(set) + ") failed: errno " + errno
                        + (errno == 22 ? " (EINVAL: no CPU of the set is allowed by the worker's cpuset)" : ""));
            }
        }
    }

    @Override
    public void moveAllTasks(String from, String to) {
        if (cgroups == null) return;
        try {
            for (int pid : cgroups.tasks(from)) {
                if (to.isEmpty()) throw new ScenarioBackendException("moving tasks to the harness root is not possible (it has controllers enabled); name a cgroup");
                cgroups.moveTask(to, pid);
            }
        } catch (CgroupException e) {
            throw new ScenarioBackendException(e.getMessage(), e);
        }
    }

    @Override
    public List<WorkerReport> stopAndCollect(List<WorkerHandle> workers, Duration deadline) {
        long t0 = System.nanoTime();
        List<HostedWorker> ws = workers.stream().map(this::proc).toList();
        Map<WorkerHost, List<Integer>> byHost = new LinkedHashMap<>();
        for (HostedWorker w : ws) byHost.computeIfAbsent(w.host(), k -> new ArrayList<>()).add(w.index());
        byHost.forEach(WorkerHost::requestStop);
        long end = t0 + deadline.toNanos();
        List<WorkerReport> reports = new ArrayList<>(ws.size());
        List<String> wedged = new ArrayList<>();
        for (HostedWorker w : ws) {
            WorkerReport r = w.host().collect(w.index(), end);
            reports.add(r);
            sink.json(FrameType.WORKER_REPORT, r);
            if (!r.completed()) {
                wedged.add(w.toString());
                sink.log(w + " (" + w.spec().workType().name() + ") produced no report: "
                        + (r.exitInfo() == null ? "?" : r.exitInfo().describe()));
            }
        }
        synchronized (live) {
            ws.forEach(live::remove);
            // A host whose workers are all collected is done; one with a wedged worker is killed,
            // which also ends any sibling still running (its later collection says why).
            for (WorkerHost host : byHost.keySet()) {
                boolean stillUsed = live.stream().anyMatch(w -> w.host() == host);
                if (!stillUsed) host.kill(null);
                else if (!wedged.isEmpty()) host.kill("killed with its host after " + String.join(", ", wedged) + " did not stop");
            }
        }
        collectionMs += (System.nanoTime() - t0) / 1_000_000;
        return reports;
    }

    @Override
    public long iterations(List<WorkerHandle> workers) {
        long sum = 0;
        for (WorkerHandle h : workers) {
            int slot = h instanceof HostedWorker w ? w.counterSlot() : -1;
            if (slot >= 0) sum += counters.getLong(slot * 8);
        }
        return sum;
    }

    @Override
    public PayloadHandle runPayload(Payload payload, List<String> args, String cgroup) {
        List<String> argv = new ArrayList<>();
        argv.add(payload.binary());
        argv.addAll(payload.defaultArgs());
        argv.addAll(args);
        Path out = runDir.resolve("payload-" + payload.name() + "-" + System.nanoTime() + ".log");
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            synchronized (payloads) {
                payloads.add(p);
            }
            if (cgroups != null && !cgroup.isEmpty()) cgroups.moveTask(cgroup, (int) p.pid());
            return new GuestPayload(p, payload.name(), cgroup, out, System.nanoTime());
        } catch (IOException | CgroupException e) {
            throw new ScenarioBackendException("starting payload '" + payload.name() + "' (" + argv + ") failed: " + e.getMessage(), e);
        }
    }

    @Override
    public PayloadExit waitPayload(PayloadHandle payload, Duration timeout) {
        GuestPayload p = (GuestPayload) payload;
        try {
            if (!p.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) return killPayload(payload);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return killPayload(payload);
        }
        return p.exit();
    }

    @Override
    public PayloadExit killPayload(PayloadHandle payload) {
        GuestPayload p = (GuestPayload) payload;
        p.process().descendants().forEach(ProcessHandle::destroyForcibly);
        p.process().destroyForcibly();
        try {
            p.process().waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return p.exit();
    }

    record GuestPayload(Process process, String name, String cgroup, Path output, long startNs) implements PayloadHandle {
        @Override
        public int pid() {
            return (int) process.pid();
        }

        PayloadExit exit() {
            long wallMs = (System.nanoTime() - startNs) / 1_000_000;
            String tail = "";
            try {
                List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
                tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            } catch (IOException | RuntimeException ignored) {
                // output not decodable: leave the tail empty
            }
            if (process.isAlive()) return new PayloadExit(-1, 9, wallMs, tail);
            int code = process.exitValue();
            return code > 128 ? new PayloadExit(-1, code - 128, wallMs, tail) : new PayloadExit(code, 0, wallMs, tail);
        }
    }

    @Override
    public boolean schedulerAlive() {
        return schedulerAlive.getAsBoolean();
    }

    @Override
    public int schedulerPid() {
        return schedulerPid;
    }

    /*
     * Scenario markers and stimuli go out as protocol.guest.Stimulus (not the scenario module's
     * types) so host code that only knows the protocol module (vmm's monitor) can line them up
     * with its samples by guest monotonic time.
     */
    @Override
    public void scenarioStarted() {
        sink.json(FrameType.SCENARIO_START, new Stimulus(System.nanoTime(), AgentClock.uptimeMs(), "scenario_start", "", Map.of()));
    }

    @Override
    public void emitStimulus(StimulusEvent e) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("elapsedMs", e.elapsedMs());
        attrs.put("stepIndex", e.stepIndex());
        attrs.put("opCount", e.opCount());
        attrs.put("opKindMask", e.opKindMask());
        attrs.put("liveCgroups", e.liveCgroups());
        attrs.put("workerCount", e.workerCount());
        attrs.put("iterationsSum", e.iterationsSum());
        sink.json(FrameType.STIMULUS, new Stimulus(System.nanoTime(), AgentClock.uptimeMs(), "step", "step " + e.stepIndex(), attrs));
    }

    @Override
    public void scenarioEnded(long elapsedMs) {
        sink.json(FrameType.SCENARIO_END, new Stimulus(System.nanoTime(), AgentClock.uptimeMs(), "scenario_end", "",
                Map.of("elapsedMs", elapsedMs)));
    }

    @Override
    public boolean awaitHostMapWrite(Duration timeout) {
        sink.log("BPF map write handshake is not implemented by this agent yet; continuing without it");
        return false;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScenarioBackendException("interrupted while sleeping " + duration.toMillis() + " ms", e);
        }
    }

    @Override
    public void log(String line) {
        sink.log(line);
    }

    /** Where the guest's worker time went, for the PHASES frame. */
    public long spawnMs() {
        return spawnMs;
    }

    public long collectionMs() {
        return collectionMs;
    }

    public int workerHostsStarted() {
        return pool.started();
    }

    public int workersStarted() {
        return workers;
    }

    /** Kills every worker host and payload still alive and removes the run directory. */
    @Override
    public void close() {
        List<HostedWorker> left;
        synchronized (live) {
            left = new ArrayList<>(live);
            live.clear();
        }
        java.util.Set<WorkerHost> hosts = new java.util.LinkedHashSet<>();
        left.forEach(w -> hosts.add(w.host()));
        for (WorkerHost h : hosts) h.kill("the scenario ended without collecting it");
        if (!left.isEmpty()) sink.log("killed " + left.size() + " worker(s) the scenario did not collect");
        pool.close();
        synchronized (payloads) {
            for (Process p : payloads) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        try (Stream<Path> s = Files.walk(runDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp dir in the guest's tmpfs vanishes with the VM
        }
    }

    private BitSet allCpus() {
        BitSet s = new BitSet();
        s.set(0, topology.totalCpus());
        return s;
    }

    private HostedWorker proc(WorkerHandle h) {
        if (h instanceof HostedWorker w) return w;
        throw new ScenarioBackendException("worker handle " + h + " was not created by this backend");
    }

    /** Sorted copy helper for callers building specs. */
    static SortedSet<Integer> sorted(BitSet s) {
        return new TreeSet<>(CpuMask.toList(s));
    }
}
