package dev.ktstr.scenario;

import dev.ktstr.scenario.work.AffinityKind;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.MpolFlags;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;

/**
 * One group of identical workers in a cgroup (spec §2.2). {@code numWorkers == null} means
 * {@link Ctx#workersPerCgroup()}. Immutable; the {@code with*} methods return copies.
 *
 * <p>{@code processPerWorker}: run each worker in a process of its own (a distinct tgid and address
 * space, as the original's forked workers). By default workers of one group are threads of one
 * worker host process; work types that need their own process ({@link WorkType#needsOwnProcess()})
 * and {@code Custom} workers annotated {@link dev.ktstr.scenario.work.ProcessPerWorker} get one anyway.
 */
public record Work(WorkType workType, SchedPolicy schedPolicy, Integer numWorkers, AffinityKind affinity,
                   MemPolicy memPolicy, int mpolFlags, int nice, boolean processPerWorker) {

    public static final Work DEFAULT = new Work(WorkType.cpuSpin(), SchedPolicy.NORMAL, null, AffinityKind.INHERIT, MemPolicy.DEFAULT, 0, 0);

    public Work(WorkType workType, SchedPolicy schedPolicy, Integer numWorkers, AffinityKind affinity, MemPolicy memPolicy,
                int mpolFlags, int nice) {
        this(workType, schedPolicy, numWorkers, affinity, memPolicy, mpolFlags, nice, false);
    }

    public Work {
        if (workType == null) workType = WorkType.cpuSpin();
        if (schedPolicy == null) schedPolicy = SchedPolicy.NORMAL;
        if (affinity == null) affinity = AffinityKind.INHERIT;
        if (memPolicy == null) memPolicy = MemPolicy.DEFAULT;
        MpolFlags.validate(mpolFlags);
        if (numWorkers != null && numWorkers <= 0) throw new IllegalArgumentException("numWorkers must be > 0, got " + numWorkers);
        if (nice < -20 || nice > 19) throw new IllegalArgumentException("nice must be -20..19, got " + nice);
    }

    public static Work of(WorkType workType) { return DEFAULT.withWorkType(workType); }
    public static Work of(WorkType workType, int numWorkers) { return DEFAULT.withWorkType(workType).withNumWorkers(numWorkers); }

    public Work withWorkType(WorkType v) { return new Work(v, schedPolicy, numWorkers, affinity, memPolicy, mpolFlags, nice, processPerWorker); }
    public Work withSchedPolicy(SchedPolicy v) { return new Work(workType, v, numWorkers, affinity, memPolicy, mpolFlags, nice, processPerWorker); }
    public Work withNumWorkers(Integer v) { return new Work(workType, schedPolicy, v, affinity, memPolicy, mpolFlags, nice, processPerWorker); }
    public Work withAffinity(AffinityKind v) { return new Work(workType, schedPolicy, numWorkers, v, memPolicy, mpolFlags, nice, processPerWorker); }
    public Work withMemPolicy(MemPolicy v) { return new Work(workType, schedPolicy, numWorkers, affinity, v, mpolFlags, nice, processPerWorker); }
    public Work withMpolFlags(int v) { return new Work(workType, schedPolicy, numWorkers, affinity, memPolicy, v, nice, processPerWorker); }
    public Work withNice(int v) { return new Work(workType, schedPolicy, numWorkers, affinity, memPolicy, mpolFlags, v, processPerWorker); }

    /** Each worker in a process of its own (see the class comment). */
    public Work withProcessPerWorker() { return new Work(workType, schedPolicy, numWorkers, affinity, memPolicy, mpolFlags, nice, true); }

    /** Worker count after applying the ctx default. */
    public int resolvedWorkers(Ctx ctx) {
        return numWorkers != null ? numWorkers : ctx.workersPerCgroup();
    }
}
