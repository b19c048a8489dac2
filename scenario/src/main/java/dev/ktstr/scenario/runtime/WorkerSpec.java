package dev.ktstr.scenario.runtime;

import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.MpolFlags;
import dev.ktstr.scenario.work.SchedPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Everything one worker needs, sent to it as JSON ({@link dev.ktstr.scenario.report.ReportJson}).
 * Built by the executor with affinity already resolved against the topology and cgroup cpuset.
 *
 * @param cgroup       cgroup path relative to the harness cgroup root ({@code ""} = the root itself,
 *                     used for host-contention workers)
 * @param workerIndex  index within its spawn group, 0-based; grouped work types pair/group workers by
 *                     index ({@code index / groupSize}), fan-out messenger = {@code index % groupSize == 0}
 * @param groupCount   number of workers in the spawn call (a multiple of {@link WorkType#groupSize()})
 * @param workType     the loop to run
 * @param schedPolicy  policy to apply with sched_setscheduler before the loop
 * @param affinity     CPUs for sched_setaffinity before the loop; empty = make no affinity call
 * @param memPolicy    policy for set_mempolicy before the loop ({@link MemPolicy#DEFAULT} = no call)
 * @param mpolFlags    {@link MpolFlags} OR-ed into the set_mempolicy mode
 * @param nice         nice value to set (0 = leave the inherited value)
 * @param ownProcess   run this worker in a process of its own instead of as a thread of its group's worker host
 */
public record WorkerSpec(
        String cgroup,
        int workerIndex,
        int groupCount,
        WorkType workType,
        SchedPolicy schedPolicy,
        SortedSet<Integer> affinity,
        MemPolicy memPolicy,
        int mpolFlags,
        int nice,
        boolean ownProcess) implements java.io.Serializable {

    public WorkerSpec(String cgroup, int workerIndex, int groupCount, WorkType workType, SchedPolicy schedPolicy,
                      SortedSet<Integer> affinity, MemPolicy memPolicy, int mpolFlags, int nice) {
        this(cgroup, workerIndex, groupCount, workType, schedPolicy, affinity, memPolicy, mpolFlags, nice, false);
    }

    public WorkerSpec {
        if (cgroup == null) cgroup = "";
        if (workType == null) throw new IllegalArgumentException("worker spec needs a work type");
        if (schedPolicy == null) schedPolicy = SchedPolicy.NORMAL;
        affinity = affinity == null ? new TreeSet<>() : new TreeSet<>(affinity);
        if (memPolicy == null) memPolicy = MemPolicy.DEFAULT;
        MpolFlags.validate(mpolFlags);
        if (workerIndex < 0 || workerIndex >= Math.max(groupCount, 1)) {
            throw new IllegalArgumentException("worker index " + workerIndex + " outside spawn group of " + groupCount);
        }
        if (nice < -20 || nice > 19) throw new IllegalArgumentException("nice must be -20..19, got " + nice);
        ownProcess = ownProcess || workType.needsOwnProcess();
    }

    /** Copy with a different affinity (used by the SetAffinity op). */
    public WorkerSpec withAffinity(SortedSet<Integer> cpus) {
        return new WorkerSpec(cgroup, workerIndex, groupCount, workType, schedPolicy, cpus, memPolicy, mpolFlags, nice, ownProcess);
    }

    /** Copy placed in another cgroup (used by MoveAllTasks bookkeeping). */
    public WorkerSpec inCgroup(String path) {
        return new WorkerSpec(path, workerIndex, groupCount, workType, schedPolicy, affinity, memPolicy, mpolFlags, nice, ownProcess);
    }
}
