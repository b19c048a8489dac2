package dev.ktstr.scenario;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.report.JvmNoise;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.runtime.PayloadExit;
import dev.ktstr.scenario.runtime.PayloadHandle;
import dev.ktstr.scenario.runtime.ScenarioBackend;
import dev.ktstr.scenario.runtime.StimulusEvent;
import dev.ktstr.scenario.runtime.WorkerHandle;
import dev.ktstr.scenario.runtime.WorkerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/** Records every backend call as text, runs on a virtual clock, reports healthy workers by default. */
public final class FakeBackend implements ScenarioBackend {

    public record Handle(int pid, WorkerSpec spec) implements WorkerHandle {}

    public record PHandle(int pid, String name, String cgroup) implements PayloadHandle {}

    public final List<String> calls = new ArrayList<>();
    public final List<StimulusEvent> stimuli = new ArrayList<>();
    public final Map<String, SortedSet<Integer>> cpusets = new LinkedHashMap<>();
    public final List<String> liveCgroups = new ArrayList<>();
    public final Map<Integer, String> workerCgroup = new HashMap<>();
    public final List<Integer> released = new ArrayList<>();
    private final Topology topology;
    private long now = 1_000_000_000L;
    private int nextPid = 100;
    /** Scheduler dies once the virtual clock passes this (ns since construction); MAX = never. */
    public long schedulerDiesAtNs = Long.MAX_VALUE;
    private final long t0 = now;
    /** Produces the report for a worker; default: healthy CpuSpin numbers. */
    public Function<Handle, WorkerReport> reporter = h -> healthy(h.pid(), workerCgroup.get(h.pid()), h.spec().workerIndex(), 1000);
    public int payloadExitCode = 0;
    /** Virtual time one stopAndCollect call takes. */
    public long stopCostNs = 0;

    public FakeBackend(Topology topology) {
        this.topology = topology;
    }

    public static WorkerReport healthy(int pid, String cgroup, int index, long units) {
        return new WorkerReport(pid, pid, cgroup, index, "CpuSpin", units, 10, 900_000_000L, 1_000_000_000L, 100_000_000L,
                5, 0, 100, 0, new TreeSet<>(List.of(0)), List.of(), null, 0, 0, 0, 0, Map.of(), 0, JvmNoise.NONE, true, null, false);
    }

    @Override public Topology topology() { return topology; }

    @Override public void createCgroup(String path) {
        calls.add("create " + path);
        if (!liveCgroups.contains(path)) liveCgroups.add(path);
    }

    @Override public void setCpuset(String path, SortedSet<Integer> cpus, SortedSet<Integer> mems) {
        calls.add("cpuset " + path + " " + CpuSets.format(cpus));
        cpusets.put(path, new TreeSet<>(cpus));
    }

    @Override public void removeCgroup(String path) {
        calls.add("remove " + path);
        if (!liveCgroups.remove(path)) throw new IllegalStateException("removing unknown cgroup " + path);
        if (workerCgroup.containsValue(path)) throw new IllegalStateException("removing " + path + " with live workers");
    }

    @Override public List<WorkerHandle> spawnWorkers(List<WorkerSpec> specs) {
        List<WorkerHandle> out = new ArrayList<>();
        String cg = specs.get(0).cgroup();
        if (!cg.isEmpty() && !liveCgroups.contains(cg)) throw new IllegalStateException("spawn into missing cgroup " + cg);
        for (WorkerSpec s : specs) {
            Handle h = new Handle(nextPid++, s);
            workerCgroup.put(h.pid(), cg);
            out.add(h);
        }
        calls.add("spawn " + (cg.isEmpty() ? "<root>" : cg) + " x" + specs.size() + " " + specs.get(0).workType().name()
                + (specs.get(0).affinity().isEmpty() ? "" : " aff=" + CpuSets.format(specs.get(0).affinity())));
        return out;
    }

    @Override public void release(List<WorkerHandle> workers) {
        if (workers.isEmpty()) return;
        List<Integer> fresh = new ArrayList<>();
        for (WorkerHandle h : workers) if (!released.contains(h.pid())) fresh.add(h.pid());
        released.addAll(fresh);
        if (!fresh.isEmpty()) calls.add("release x" + fresh.size());
    }

    @Override public void setAffinity(List<WorkerHandle> workers, SortedSet<Integer> cpus) {
        for (WorkerHandle h : workers) calls.add("affinity " + h.pid() + " " + CpuSets.format(cpus));
    }

    @Override public void moveAllTasks(String from, String to) {
        calls.add("move " + from + " -> " + to);
        workerCgroup.replaceAll((pid, cg) -> cg.equals(from) ? to : cg);
    }

    @Override public List<WorkerReport> stopAndCollect(List<WorkerHandle> workers, Duration deadline) {
        now += stopCostNs;
        List<WorkerReport> out = new ArrayList<>();
        Map<String, Integer> per = new LinkedHashMap<>();
        for (WorkerHandle h : workers) {
            out.add(reporter.apply((Handle) h));
            String cg = workerCgroup.remove(h.pid());
            per.merge(cg == null || cg.isEmpty() ? "<root>" : cg, 1, Integer::sum);
        }
        per.forEach((cg, n) -> calls.add("stop " + cg + " x" + n));
        return out;
    }

    @Override public long iterations(List<WorkerHandle> workers) { return workers.size() * 10L; }

    @Override public PayloadHandle runPayload(Payload payload, List<String> args, String cgroup) {
        calls.add("payload run " + payload.name() + " " + String.join(" ", args) + " in " + (cgroup.isEmpty() ? "<root>" : cgroup));
        return new PHandle(nextPid++, payload.name(), cgroup);
    }

    @Override public PayloadExit waitPayload(PayloadHandle payload, Duration timeout) {
        calls.add("payload wait " + payload.name());
        return new PayloadExit(payloadExitCode, 0, 10, payloadExitCode == 0 ? "" : "boom");
    }

    @Override public PayloadExit killPayload(PayloadHandle payload) {
        calls.add("payload kill " + payload.name());
        return new PayloadExit(-1, 9, 10, "");
    }

    @Override public boolean schedulerAlive() { return now - t0 < schedulerDiesAtNs; }
    @Override public int schedulerPid() { return 42; }
    @Override public void scenarioStarted() { calls.add("start"); }
    @Override public void emitStimulus(StimulusEvent event) { stimuli.add(event); calls.add("stimulus " + event.stepIndex()); }
    @Override public void scenarioEnded(long elapsedMs) { calls.add("end"); }
    @Override public boolean awaitHostMapWrite(Duration timeout) { calls.add("await map write"); return true; }
    @Override public long nanoTime() { return now; }
    @Override public void sleep(Duration d) { now += d.toNanos(); }
    @Override public void log(String line) { calls.add("log " + line); }

    /** Calls without stimulus/log lines, for compact assertions. */
    public List<String> actions() {
        return calls.stream().filter(c -> !c.startsWith("stimulus") && !c.startsWith("log")).toList();
    }

    public long elapsedNs() {
        return now - t0;
    }
}
