package dev.ktstr.guest.agent;

import dev.ktstr.guest.cgroup.CgroupException;
import dev.ktstr.guest.cgroup.CgroupManager;
import dev.ktstr.guest.sys.CpuMask;
import dev.ktstr.guest.sys.LibC;
import dev.ktstr.guest.worker.WorkerCommand;
import dev.ktstr.guest.worker.WorkerLaunch;
import dev.ktstr.guest.worker.WorkerProcess;
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
 * The real {@link ScenarioBackend}: cgroups through {@link CgroupManager}, workers as separate JVM
 * processes with the two-phase start, frames to the host. With {@code cgroups == null} (host
 * mode, used by unit tests) placement is skipped and everything else is real.
 */
public final class GuestBackend implements ScenarioBackend, AutoCloseable {
    /** Live iteration counter slots (8 bytes each) shared with the workers. */
    static final int COUNTER_SLOTS = 4096;

    private final Topology topology;
    private final CgroupManager cgroups;
    private final WorkerCommand workerCommand;
    private final FrameSink sink;
    private final Path runDir;
    private final long workerReadyMs;
    private final BooleanSupplier schedulerAlive;
    private final int schedulerPid;
    private final Path counterFile;
    private final MappedByteBuffer counters;
    private final Map<Integer, WorkerProcess> live = new LinkedHashMap<>();
    private final Map<Integer, Integer> slotOf = new LinkedHashMap<>();
    private final List<Process> payloads = new ArrayList<>();
    private int nextSlot;
    private int spawnCalls;

    public GuestBackend(Topology topology, CgroupManager cgroups, WorkerCommand workerCommand, FrameSink sink, Path runDir,
                        long workerReadyMs, BooleanSupplier schedulerAlive, int schedulerPid) throws IOException {
        this.topology = topology;
        this.cgroups = cgroups;
        this.workerCommand = workerCommand;
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
        if (specs.isEmpty()) return List.of();
        String cgroup = specs.get(0).cgroup();
        int call = ++spawnCalls;
        Path ipc = runDir.resolve("spawn-" + call);
        List<WorkerProcess> started = new ArrayList<>();
        try {
            Files.createDirectories(ipc);
            for (WorkerSpec spec : specs) {
                if (!spec.cgroup().equals(cgroup)) {
                    throw new ScenarioBackendException("one spawn call must target one cgroup: got '" + cgroup + "' and '" + spec.cgroup() + "'");
                }
                int slot = nextSlot < COUNTER_SLOTS ? nextSlot++ : -1;
                WorkerLaunch launch = new WorkerLaunch(spec, ipc.toString(), ipc.toString(), slot >= 0 ? counterFile.toString() : null,
                        slot, Math.max(0, schedulerPid), WorkerLaunch.DEFAULT_WATCHDOG_GAP_MS);
                String base = "w" + call + "-" + spec.workerIndex();
                WorkerProcess w = WorkerProcess.start(workerCommand, launch, ipc.resolve(base + ".json"), ipc.resolve(base + ".err"));
                started.add(w);
                if (slot >= 0) slotOf.put(w.pid(), slot);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(workerReadyMs);
            for (WorkerProcess w : started) {
                String err = w.awaitReady(deadline);
                if (err != null) throw new ScenarioBackendException("spawning " + specs.size() + " " + specs.get(0).workType().name()
                        + " worker(s) for cgroup '" + cgroup + "': " + err);
            }
            int slowest = started.stream().mapToInt(WorkerProcess::readyUptimeMs).max().orElse(-1);
            sink.log("spawned " + started.size() + " " + specs.get(0).workType().name() + " worker(s) for '" + cgroup + "' in "
                    + (System.nanoTime() - deadline + TimeUnit.MILLISECONDS.toNanos(workerReadyMs)) / 1_000_000
                    + " ms (slowest worker JVM ready " + slowest + " ms after its start)");
            if (cgroups != null && !cgroup.isEmpty()) {
                for (WorkerProcess w : started) {
                    if (!cgroups.moveTask(cgroup, w.pid())) {
                        throw new ScenarioBackendException("worker " + w.pid() + " vanished before it could be placed in cgroup '" + cgroup + "'" + w.stderrTail());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            for (WorkerProcess w : started) w.kill();
            started.forEach(w -> slotOf.remove(w.pid()));
            if (e instanceof ScenarioBackendException sbe) throw sbe;
            throw new ScenarioBackendException("spawning workers for cgroup '" + cgroup + "' failed: " + e.getMessage(), e);
        }
        synchronized (live) {
            for (WorkerProcess w : started) live.put(w.pid(), w);
        }
        return List.copyOf(started);
    }

    @Override
    public void release(List<WorkerHandle> workers) {
        for (WorkerHandle h : workers) proc(h).release();
    }

    @Override
    public void setAffinity(List<WorkerHandle> workers, SortedSet<Integer> cpus) {
        BitSet set = cpus.isEmpty() ? allCpus() : CpuMask.of(cpus);
        long[] mask = CpuMask.toWords(set);
        for (WorkerHandle h : workers) {
            WorkerProcess w = proc(h);
            if (LibC.sched_setaffinity(w.loopTid(), CpuMask.BYTES, mask) != 0) {
                int errno = LibC.errno();
                if (errno == 3) continue; // ESRCH: the worker is gone; its report will say why
                throw new ScenarioBackendException("sched_setaffinity(" + w.loopTid() + ", " + CpuMask.render(set) + ") failed: errno " + errno
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
        List<WorkerProcess> ws = workers.stream().map(this::proc).toList();
        ws.forEach(WorkerProcess::requestStop);
        long end = System.nanoTime() + deadline.toNanos();
        List<WorkerReport> reports = new ArrayList<>(ws.size());
        for (WorkerProcess w : ws) {
            WorkerReport r = w.collect(end, w.spec().workerIndex());
            reports.add(r);
            sink.json(FrameType.WORKER_REPORT, r);
            if (!r.completed()) {
                sink.log("worker " + w.pid() + " (" + w.spec().workType().name() + " in '" + w.spec().cgroup() + "') produced no report: "
                        + (r.exitInfo() == null ? "?" : r.exitInfo().describe()));
            }
        }
        for (WorkerProcess w : ws) {
            w.kill();
            synchronized (live) {
                live.remove(w.pid());
            }
        }
        return reports;
    }

    @Override
    public long iterations(List<WorkerHandle> workers) {
        long sum = 0;
        for (WorkerHandle h : workers) {
            Integer slot = slotOf.get(h.pid());
            if (slot != null) sum += counters.getLong(slot * 8);
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

    /** Kills every worker and payload still alive and removes the run directory. */
    @Override
    public void close() {
        List<WorkerProcess> left;
        synchronized (live) {
            left = new ArrayList<>(live.values());
            live.clear();
        }
        for (WorkerProcess w : left) w.kill();
        if (!left.isEmpty()) sink.log("killed " + left.size() + " worker(s) the scenario did not collect");
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

    private WorkerProcess proc(WorkerHandle h) {
        if (h instanceof WorkerProcess w) return w;
        throw new ScenarioBackendException("worker handle " + h + " was not created by this backend");
    }

    /** Sorted copy helper for callers building specs. */
    static SortedSet<Integer> sorted(BitSet s) {
        return new TreeSet<>(CpuMask.toList(s));
    }
}
