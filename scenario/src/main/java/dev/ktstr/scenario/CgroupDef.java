package dev.ktstr.scenario;

import dev.ktstr.scenario.work.AffinityKind;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.util.ArrayList;
import java.util.List;

/**
 * A cgroup and the workers to run in it (spec §2.2). Immutable builder style:
 * {@code CgroupDef.named("cg_0").cpuset(CpusetSpec.disjoint(0, 2)).workers(4)}. Single-value
 * setters edit the first {@link Work} (creating a default one); {@link #work(Work)} adds a
 * concurrent work group. A def without works spawns one default Work.
 */
public record CgroupDef(String name, CpusetSpec cpuset, List<Work> works, boolean swappable, Payload workload) {

    public CgroupDef {
        validateName(name);
        works = works == null ? List.of() : List.copyOf(works);
    }

    public static CgroupDef named(String name) {
        return new CgroupDef(name, null, List.of(), false, null);
    }

    /** Nested names like {@code a/b} are allowed; no leading/trailing slash, no empty or dot segments. */
    static void validateName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("cgroup name must be non-empty");
        if (name.startsWith("/") || name.endsWith("/")) {
            throw new IllegalArgumentException("cgroup name '" + name + "' must be relative without leading/trailing '/' (e.g. cg_0 or cg_0/sub)");
        }
        for (String seg : name.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..") || seg.contains(" ")) {
                throw new IllegalArgumentException("cgroup name '" + name + "' has an invalid path segment '" + seg + "'");
            }
        }
    }

    public CgroupDef cpuset(CpusetSpec spec) { return new CgroupDef(name, spec, works, swappable, workload); }
    public CgroupDef workers(int n) { return editFirst(w -> w.withNumWorkers(n)); }

    /**
     * Workers as a share of the VM's usable CPUs ({@code pct} of them, rounded, at least 1), so one test
     * loads a 2-CPU and a 64-CPU gauntlet variant alike.
     */
    public CgroupDef workersPct(Ctx ctx, double pct) {
        if (!(pct > 0) || pct > 1000) throw new IllegalArgumentException("workersPct must be in (0, 1000] percent of the usable CPUs, got " + pct);
        return workers(Math.max(1, (int) Math.round(ctx.usableCpus().size() * pct / 100.0)));
    }
    public CgroupDef workType(WorkType wt) { return editFirst(w -> w.withWorkType(wt)); }
    public CgroupDef schedPolicy(SchedPolicy p) { return editFirst(w -> w.withSchedPolicy(p)); }
    public CgroupDef affinity(AffinityKind a) { return editFirst(w -> w.withAffinity(a)); }
    public CgroupDef memPolicy(MemPolicy p) { return editFirst(w -> w.withMemPolicy(p)); }
    public CgroupDef mpolFlags(int f) { return editFirst(w -> w.withMpolFlags(f)); }
    public CgroupDef nice(int n) { return editFirst(w -> w.withNice(n)); }
    public CgroupDef swappable(boolean s) { return new CgroupDef(name, cpuset, works, s, workload); }
    /** Runs this binary payload in the cgroup for the step (in addition to the works). */
    public CgroupDef workload(Payload p) { return new CgroupDef(name, cpuset, works, swappable, p); }

    /** Adds a concurrent work group. */
    public CgroupDef work(Work w) {
        List<Work> l = new ArrayList<>(works);
        l.add(w);
        return new CgroupDef(name, cpuset, l, swappable, workload);
    }

    /** The works to spawn: {@link #works()} or one default Work. */
    public List<Work> effectiveWorks() {
        return works.isEmpty() ? List.of(Work.DEFAULT) : works;
    }

    private CgroupDef editFirst(java.util.function.UnaryOperator<Work> edit) {
        List<Work> l = new ArrayList<>(works);
        if (l.isEmpty()) l.add(Work.DEFAULT);
        l.set(0, edit.apply(l.get(0)));
        return new CgroupDef(name, cpuset, l, swappable, workload);
    }
}
