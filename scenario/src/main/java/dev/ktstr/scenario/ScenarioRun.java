package dev.ktstr.scenario;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.runtime.PayloadExit;
import dev.ktstr.scenario.runtime.PayloadHandle;
import dev.ktstr.scenario.runtime.ScenarioBackend;
import dev.ktstr.scenario.runtime.StimulusEvent;
import dev.ktstr.scenario.runtime.WorkerHandle;
import dev.ktstr.scenario.runtime.WorkerSpec;
import dev.ktstr.scenario.verify.Assert;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import dev.ktstr.scenario.verify.WorkerChecks;
import dev.ktstr.scenario.work.AffinityKind;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;

/** One execution of backdrop + steps (spec §2.4); single use. All bookkeeping of live state lives here. */
final class ScenarioRun {

    static final Duration STOP_DEADLINE = Duration.ofSeconds(5);
    static final Duration MAP_WRITE_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAP_WRITE_SETTLE = Duration.ofMillis(500);
    static final Duration LIVENESS_POLL = Duration.ofMillis(500);

    /** Who created something: the backdrop or a step; decides when it is torn down. */
    private static final class Scope {
        final String label;
        final List<String> cgroups = new ArrayList<>();
        final List<WorkerHandle> workers = new ArrayList<>();
        final List<PayloadHandle> payloads = new ArrayList<>();
        final Map<String, List<WorkerReport>> reports = new LinkedHashMap<>();
        final Map<String, SortedSet<Integer>> cpusetAtStop = new LinkedHashMap<>();
        AssertResult result = AssertResult.pass();

        Scope(String label) {
            this.label = label;
        }
    }

    private static final class CgroupState {
        final Scope owner;
        SortedSet<Integer> cpuset;

        CgroupState(Scope owner) {
            this.owner = owner;
        }
    }

    private final Ctx ctx;
    private final ScenarioBackend backend;
    private final Topology topo;
    private final Assert checks;
    private final Random random;
    private final Map<String, CgroupState> cgroups = new LinkedHashMap<>();
    /** Live workers and the cgroup each is in now (MoveAllTasks changes it). */
    private final Map<WorkerHandle, String> workerCgroup = new LinkedHashMap<>();
    private final Map<PayloadHandle, Scope> livePayloads = new LinkedHashMap<>();
    private long startNs;

    ScenarioRun(Ctx ctx, Assert checks) {
        this.ctx = ctx;
        this.backend = ctx.backend();
        this.topo = backend.topology();
        this.checks = checks != null ? checks : ctx.checks();
        this.random = new Random(backend.nanoTime());
    }

    AssertResult run(Backdrop backdrop, List<Step> steps) {
        for (int i = 0; i < steps.size(); i++) {
            try {
                steps.get(i).hold().validate();
            } catch (IllegalArgumentException e) {
                return AssertResult.failMsg("step " + i + " has an invalid hold: " + e.getMessage());
            }
        }
        if (backdrop == null) backdrop = Backdrop.EMPTY;
        startNs = backend.nanoTime();
        backend.scenarioStarted();
        if (ctx.waitForMapWrite()) {
            if (!backend.awaitHostMapWrite(MAP_WRITE_TIMEOUT)) {
                backend.scenarioEnded(elapsedMs());
                return AssertResult.failMsg("host BPF map write did not arrive within " + MAP_WRITE_TIMEOUT.toSeconds() + " s");
            }
            backend.sleep(MAP_WRITE_SETTLE);
        }

        Scope back = new Scope("backdrop");
        AssertResult result = AssertResult.pass();
        boolean aborted = false;
        try {
            setUp(back, backdrop.cgroups(), false);
            for (Op op : backdrop.ops()) apply(back, op);
            for (Payload p : backdrop.payloads()) runPayload(back, p, List.of(), "");
            backend.release(new ArrayList<>(back.workers));
        } catch (RuntimeException e) {
            result = result.merge(AssertResult.failMsg("Backdrop setup failed: " + message(e)));
            aborted = true;
        }

        int n = steps.size();
        for (int i = 0; i < n && !aborted; i++) {
            if (i > 0 && !backend.schedulerAlive()) {
                result = result.merge(AssertResult.fail(DetailKind.SCHEDULER_DIED, String.format(Locale.ROOT,
                        "scheduler process died unexpectedly after completing step %d of %d (%.1fs into test)", i, n, elapsedMs() / 1000.0)));
                aborted = true;
                break;
            }
            Scope scope = new Scope("step " + i);
            try {
                runStep(scope, steps.get(i), i, n, backdrop);
            } catch (SchedulerDiedException e) {
                scope.result = scope.result.merge(AssertResult.fail(DetailKind.SCHEDULER_DIED, e.getMessage()));
                aborted = true;
            } catch (RuntimeException e) {
                scope.result = scope.result.merge(AssertResult.failMsg("step " + i + " failed: " + message(e)));
                aborted = true;
            }
            result = result.merge(tearDown(scope));
        }

        backend.scenarioEnded(elapsedMs());
        result = result.merge(tearDown(back));
        if (!aborted && !backend.schedulerAlive()) {
            result = result.merge(AssertResult.fail(DetailKind.SCHEDULER_DIED, String.format(Locale.ROOT,
                    "scheduler process died unexpectedly, detected after all %d steps completed (%.1fs into test)", n, elapsedMs() / 1000.0)));
        }
        return result;
    }

    private void runStep(Scope scope, Step step, int index, int total, Backdrop backdrop) {
        List<CgroupDef> defs = step.setup().defs(ctx);
        for (CgroupDef d : defs) {
            for (CgroupDef b : backdrop.cgroups()) {
                if (b.name().equals(d.name())) {
                    throw new IllegalArgumentException("cgroup '" + d.name() + "' is already a backdrop cgroup; step-local names may not shadow backdrop names");
                }
            }
        }
        int applied = 0;
        long mask = 0;
        for (Op op : step.ops()) {
            apply(scope, op);
            applied++;
            mask |= 1L << op.kind().ordinal();
        }
        setUp(scope, defs, true);
        stimulus(index, applied, mask);

        long stepStart = backend.nanoTime();
        if (step.hold() instanceof HoldSpec.Loop loop) {
            long deadline = startNs + ctx.duration().toNanos();
            while (true) {
                long now = backend.nanoTime();
                if (now >= deadline) break;
                holdFor(Math.min(loop.interval().toNanos(), deadline - now), index, total);
                if (backend.nanoTime() >= deadline) break;
                int k = 0;
                long m = 0;
                for (Op op : step.ops()) {
                    apply(scope, op);
                    k++;
                    m |= 1L << op.kind().ordinal();
                }
                stimulus(index, k, m);
            }
        } else {
            long holdNs = step.hold() instanceof HoldSpec.Frac f
                    ? (long) (f.fraction() * ctx.duration().toNanos())
                    : ((HoldSpec.Fixed) step.hold()).duration().toNanos();
            long remaining = holdNs - (backend.nanoTime() - stepStart);
            if (remaining > 0) holdFor(remaining, index, total);
        }
    }

    /** Sleeps, polling scheduler liveness so a death ends the step early. */
    private void holdFor(long nanos, int index, int total) {
        long end = backend.nanoTime() + nanos;
        while (true) {
            long left = end - backend.nanoTime();
            if (left <= 0) return;
            backend.sleep(Duration.ofNanos(Math.min(left, LIVENESS_POLL.toNanos())));
            if (!backend.schedulerAlive()) {
                throw new SchedulerDiedException(String.format(Locale.ROOT,
                        "scheduler process died unexpectedly during step %d of %d (%.1fs into test)", index, total, elapsedMs() / 1000.0));
            }
        }
    }

    private void stimulus(int stepIndex, int ops, long mask) {
        List<WorkerHandle> live = new ArrayList<>(workerCgroup.keySet());
        backend.emitStimulus(new StimulusEvent(elapsedMs(), stepIndex, ops, mask, cgroups.size(), live.size(), backend.iterations(live)));
    }

    /** Creates the defs' cgroups, settles, then spawns every def's workers and releases them together. */
    private void setUp(Scope scope, List<CgroupDef> defs, boolean release) {
        if (defs.isEmpty()) return;
        for (CgroupDef d : defs) {
            if (cgroups.containsKey(d.name())) throw new IllegalArgumentException("cgroup '" + d.name() + "' already exists in this scenario");
            createCgroup(scope, d.name());
            if (d.cpuset() != null) setCpuset(d.name(), d.cpuset().resolve(topo, backend::log));
        }
        if (!ctx.settle().isZero()) backend.sleep(ctx.settle());
        if (!backend.schedulerAlive()) throw new SchedulerDiedException("scheduler process died while creating cgroups");
        // Every group of the step is spawned in one call, so a backend can start them in parallel.
        List<List<WorkerSpec>> groups = new ArrayList<>();
        for (CgroupDef d : defs) {
            for (Work w : d.effectiveWorks()) {
                Work eff = w;
                WorkType override = ctx.workTypeOverride();
                if (d.swappable() && override != null) {
                    int count = w.resolvedWorkers(ctx);
                    if (count % override.groupSize() == 0) eff = w.withWorkType(override);
                    else backend.log("work type override " + override.name() + " skipped for " + d.name() + ": " + count + " workers not divisible by " + override.groupSize());
                }
                groups.add(specs(d.name(), eff));
            }
        }
        List<WorkerHandle> spawned = new ArrayList<>();
        if (!groups.isEmpty()) {
            List<List<WorkerHandle>> handles = backend.spawnGroups(groups);
            if (handles.size() != groups.size()) {
                throw new IllegalStateException("backend spawned " + handles.size() + " groups for " + groups.size());
            }
            for (int i = 0; i < groups.size(); i++) spawned.addAll(register(scope, groups.get(i), handles.get(i)));
        }
        for (CgroupDef d : defs) {
            if (d.workload() != null) runPayload(scope, d.workload(), List.of(), d.name());
        }
        if (release) backend.release(spawned);
    }

    private void apply(Scope scope, Op op) {
        if (op instanceof Op.AddCgroup a) {
            if (!cgroups.containsKey(a.name())) createCgroup(scope, a.name());
        } else if (op instanceof Op.RemoveCgroup r) {
            CgroupState st = known(r.cgroup(), op);
            if (st.owner != scope && st.owner.label.equals("backdrop")) {
                throw new IllegalArgumentException("steps may not remove backdrop cgroup '" + r.cgroup() + "'");
            }
            for (String child : new ArrayList<>(cgroups.keySet())) {
                if (child.startsWith(r.cgroup() + "/")) throw new IllegalArgumentException("cannot remove '" + r.cgroup() + "': it still has child cgroup '" + child + "'");
            }
            stopIn(scope, r.cgroup());
            backend.removeCgroup(r.cgroup());
            cgroups.remove(r.cgroup());
            st.owner.cgroups.remove(r.cgroup());
        } else if (op instanceof Op.SetCpuset s) {
            known(s.cgroup(), op);
            setCpuset(s.cgroup(), s.cpus().resolve(topo, backend::log));
        } else if (op instanceof Op.ClearCpuset c) {
            known(c.cgroup(), op);
            setCpuset(c.cgroup(), null);
        } else if (op instanceof Op.SwapCpusets s) {
            SortedSet<Integer> a = known(s.a(), op).cpuset;
            SortedSet<Integer> b = known(s.b(), op).cpuset;
            setCpuset(s.a(), b);
            setCpuset(s.b(), a);
        } else if (op instanceof Op.Spawn s) {
            known(s.cgroup(), op);
            backend.release(spawn(scope, s.cgroup(), s.work()));
        } else if (op instanceof Op.StopCgroup s) {
            known(s.cgroup(), op);
            stopIn(scope, s.cgroup());
        } else if (op instanceof Op.SetAffinity s) {
            known(s.cgroup(), op);
            for (Map.Entry<WorkerHandle, String> e : workerCgroup.entrySet()) {
                if (e.getValue().equals(s.cgroup())) {
                    backend.setAffinity(List.of(e.getKey()), resolveAffinity(s.affinity(), s.cgroup()));
                }
            }
        } else if (op instanceof Op.SpawnHost s) {
            backend.release(spawn(scope, "", s.work()));
        } else if (op instanceof Op.MoveAllTasks m) {
            known(m.from(), op);
            known(m.to(), op);
            backend.moveAllTasks(m.from(), m.to());
            workerCgroup.replaceAll((h, cg) -> cg.equals(m.from()) ? m.to() : cg);
        } else if (op instanceof Op.RunPayload r) {
            if (r.cgroup() != null) known(r.cgroup(), op);
            runPayload(scope, r.payload(), r.args(), r.cgroup() == null ? "" : r.cgroup());
        } else if (op instanceof Op.WaitPayload w) {
            PayloadHandle h = findPayload(w.name(), w.cgroup());
            Scope owner = livePayloads.remove(h);
            owner.payloads.remove(h);
            PayloadExit exit = backend.waitPayload(h, ctx.duration().plus(STOP_DEADLINE));
            if (!exit.success()) {
                scope.result = scope.result.merge(AssertResult.failMsg("payload " + h.name() + " "
                        + (exit.signal() != 0 ? "killed by signal " + exit.signal() : "exited with code " + exit.exitCode())
                        + (exit.outputTail().isEmpty() ? "" : ": " + exit.outputTail())));
            }
        } else if (op instanceof Op.KillPayload k) {
            PayloadHandle h = findPayload(k.name(), k.cgroup());
            Scope owner = livePayloads.remove(h);
            owner.payloads.remove(h);
            backend.killPayload(h);
        } else {
            throw new IllegalStateException("unhandled op " + op);
        }
    }

    private void createCgroup(Scope scope, String name) {
        backend.createCgroup(name);
        cgroups.put(name, new CgroupState(scope));
        scope.cgroups.add(name);
    }

    private void setCpuset(String cgroup, SortedSet<Integer> cpus) {
        backend.setCpuset(cgroup, cpus == null ? new TreeSet<>() : cpus, new TreeSet<>());
        cgroups.get(cgroup).cpuset = cpus == null ? null : new TreeSet<>(cpus);
    }

    private CgroupState known(String cgroup, Op op) {
        CgroupState st = cgroups.get(cgroup);
        if (st == null) {
            throw new IllegalArgumentException(op.kind() + " names unknown cgroup '" + cgroup
                    + "'; create it first (Op.addCgroup or a CgroupDef); live cgroups: " + cgroups.keySet());
        }
        return st;
    }

    private List<WorkerHandle> spawn(Scope scope, String cgroup, Work work) {
        List<WorkerSpec> specs = specs(cgroup, work);
        return register(scope, specs, backend.spawnWorkers(specs));
    }

    private List<WorkerSpec> specs(String cgroup, Work work) {
        int count = work.resolvedWorkers(ctx);
        work.workType().checkWorkerCount(count);
        SortedSet<Integer> cpuset = cgroup.isEmpty() ? null : cgroups.get(cgroup).cpuset;
        checkMemPolicy(cgroup, work.memPolicy(), cpuset);
        List<WorkerSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(new WorkerSpec(cgroup, i, count, work.workType(), work.schedPolicy(),
                    resolveAffinity(work.affinity(), cgroup), work.memPolicy(), work.mpolFlags(), work.nice(), work.processPerWorker()));
        }
        return specs;
    }

    private List<WorkerHandle> register(Scope scope, List<WorkerSpec> specs, List<WorkerHandle> handles) {
        String cgroup = specs.get(0).cgroup();
        if (handles.size() != specs.size()) {
            throw new IllegalStateException("backend spawned " + handles.size() + " workers for " + specs.size() + " specs");
        }
        for (WorkerHandle h : handles) {
            workerCgroup.put(h, cgroup);
            scope.workers.add(h);
        }
        return handles;
    }

    private void checkMemPolicy(String cgroup, MemPolicy p, SortedSet<Integer> cpuset) {
        if (cpuset == null || p.nodes().isEmpty()) return;
        SortedSet<Integer> reachable = CpuSets.numaNodesFor(topo, cpuset);
        if (!reachable.containsAll(p.nodes())) {
            throw new IllegalArgumentException("cgroup " + cgroup + ": MemPolicy " + p.kind() + " nodes " + p.nodes()
                    + " are not all reachable from its cpuset " + CpuSets.format(cpuset) + " (NUMA nodes " + reachable + ")");
        }
    }

    /** Spec §2.2 AffinityKind resolution; empty = no affinity call. */
    SortedSet<Integer> resolveAffinity(AffinityKind a, String cgroup) {
        SortedSet<Integer> cpuset = cgroup.isEmpty() || cgroups.get(cgroup) == null ? null : cgroups.get(cgroup).cpuset;
        SortedSet<Integer> pool = cpuset != null && !cpuset.isEmpty() ? cpuset : CpuSets.allCpus(topo);
        switch (a.kind()) {
            case INHERIT:
                return new TreeSet<>();
            case RANDOM_SUBSET: {
                List<Integer> l = new ArrayList<>(pool);
                Collections.shuffle(l, random);
                return new TreeSet<>(l.subList(0, Math.max(1, l.size() / 2)));
            }
            case LLC_ALIGNED: {
                int best = -1, bestOverlap = -1;
                for (int llc = 0; llc < topo.llcs(); llc++) {
                    SortedSet<Integer> s = CpuSets.llcCpus(topo, llc);
                    s.retainAll(pool);
                    if (s.size() > bestOverlap) { bestOverlap = s.size(); best = llc; }
                }
                SortedSet<Integer> s = CpuSets.llcCpus(topo, best);
                s.retainAll(pool);
                return s;
            }
            case CROSS_CGROUP:
                return CpuSets.allCpus(topo);
            case SINGLE_CPU:
                return new TreeSet<>(List.of(pool.first()));
            case EXACT: {
                SortedSet<Integer> s = new TreeSet<>(a.cpus());
                s.retainAll(pool);
                return s;
            }
            default:
                throw new IllegalStateException("unhandled affinity " + a.kind());
        }
    }

    /** Stops the live workers in {@code cgroup} and files their reports with {@code scope}. */
    private void stopIn(Scope scope, String cgroup) {
        List<WorkerHandle> hs = new ArrayList<>();
        for (Map.Entry<WorkerHandle, String> e : workerCgroup.entrySet()) if (e.getValue().equals(cgroup)) hs.add(e.getKey());
        collect(scope, hs);
    }

    private void collect(Scope scope, List<WorkerHandle> hs) {
        if (hs.isEmpty()) return;
        List<WorkerReport> reports = backend.stopAndCollect(hs, STOP_DEADLINE);
        for (int i = 0; i < hs.size(); i++) {
            String cg = workerCgroup.remove(hs.get(i));
            if (cg == null || cg.isEmpty()) continue; // host-contention workers are load, not subjects
            WorkerReport r = i < reports.size() ? reports.get(i) : null;
            if (r == null) {
                r = WorkerReport.sentinel(hs.get(i).pid(), cg, hs.get(i).spec().workerIndex(), hs.get(i).spec().workType().name(),
                        dev.ktstr.scenario.report.ExitInfo.waitFailed("backend returned no report"));
            }
            scope.reports.computeIfAbsent(cg, k -> new ArrayList<>()).add(r);
            CgroupState st = cgroups.get(cg);
            scope.cpusetAtStop.put(cg, st == null ? null : st.cpuset);
        }
    }

    private void runPayload(Scope scope, Payload p, List<String> args, String cgroup) {
        List<String> all = new ArrayList<>(p.defaultArgs());
        all.addAll(args);
        PayloadHandle h = backend.runPayload(p, all, cgroup);
        scope.payloads.add(h);
        livePayloads.put(h, scope);
    }

    private PayloadHandle findPayload(String name, String cgroup) {
        List<PayloadHandle> match = new ArrayList<>();
        for (PayloadHandle h : livePayloads.keySet()) {
            if (h.name().equals(name) && (cgroup == null || h.cgroup().equals(cgroup))) match.add(h);
        }
        if (match.isEmpty()) throw new IllegalArgumentException("no live payload '" + name + "'" + (cgroup == null ? "" : " in " + cgroup));
        if (match.size() > 1) throw new IllegalArgumentException(match.size() + " live copies of payload '" + name + "'; name the cgroup");
        return match.get(0);
    }

    /** Stops, collects, checks and removes everything {@code scope} created. Never throws. */
    private AssertResult tearDown(Scope scope) {
        AssertResult result = scope.result;
        try {
            collect(scope, new ArrayList<>(scope.workers.stream().filter(workerCgroup::containsKey).toList()));
        } catch (RuntimeException e) {
            result = result.merge(AssertResult.failMsg(scope.label + ": collecting workers failed: " + message(e)));
        }
        // Workers of an outer scope moved into this scope's cgroups would be drained to the root
        // without anyone knowing; stop them here and say so.
        List<WorkerHandle> strays = new ArrayList<>();
        for (Map.Entry<WorkerHandle, String> e : workerCgroup.entrySet()) {
            if (scope.cgroups.contains(e.getValue())) strays.add(e.getKey());
        }
        if (!strays.isEmpty()) {
            result = result.merge(AssertResult.failMsg(scope.label + " ended with " + strays.size()
                    + " workers of the backdrop inside its cgroups (moved there by MoveAllTasks); they were stopped."
                    + " Move them back to a backdrop cgroup before the step ends"));
            try {
                collect(scope, strays);
            } catch (RuntimeException e) {
                result = result.merge(AssertResult.failMsg(scope.label + ": collecting workers failed: " + message(e)));
            }
        }
        for (PayloadHandle h : new ArrayList<>(scope.payloads)) {
            try {
                livePayloads.remove(h);
                backend.killPayload(h);
            } catch (RuntimeException e) {
                result = result.merge(AssertResult.failMsg(scope.label + ": killing payload " + h.name() + " failed: " + message(e)));
            }
        }
        for (Map.Entry<String, List<WorkerReport>> e : scope.reports.entrySet()) {
            SortedSet<Integer> cpuset = scope.cpusetAtStop.get(e.getKey());
            SortedSet<Integer> nodes = cpuset == null ? null : CpuSets.numaNodesFor(topo, cpuset);
            result = result.merge(WorkerChecks.check(e.getKey(), e.getValue(), checks, cpuset, nodes));
        }
        // Children before parents: deepest path first, newest first among equals.
        List<String> own = new ArrayList<>(scope.cgroups);
        Collections.reverse(own);
        own.sort(Comparator.comparingInt((String s) -> s.split("/").length).reversed());
        for (String cg : own) {
            try {
                backend.removeCgroup(cg);
            } catch (RuntimeException e) {
                result = result.merge(AssertResult.failMsg(scope.label + ": removing cgroup " + cg + " failed: " + message(e)));
            }
            cgroups.remove(cg);
        }
        return result;
    }

    private long elapsedMs() {
        return (backend.nanoTime() - startNs) / 1_000_000;
    }

    private static String message(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static final class SchedulerDiedException extends RuntimeException {
        SchedulerDiedException(String message) {
            super(message);
        }
    }
}
