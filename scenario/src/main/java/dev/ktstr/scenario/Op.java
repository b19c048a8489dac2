package dev.ktstr.scenario;

import dev.ktstr.scenario.work.AffinityKind;
import dev.ktstr.scenario.work.WorkType;
import java.util.List;

/**
 * A dynamic scenario action (spec §2.5, 13 kinds). Cgroup names are relative paths like
 * {@link CgroupDef#name()}. Payload ops key on (payload name, cgroup); a {@code null} cgroup means
 * the unique live copy of that payload.
 */
public sealed interface Op {

    OpKind kind();

    /** Create a cgroup (nested names allowed). */
    record AddCgroup(String name) implements Op {
        public AddCgroup { CgroupDef.validateName(name); }
        public OpKind kind() { return OpKind.ADD_CGROUP; }
    }

    /** Stop its workers, drain remaining tasks, rmdir. */
    record RemoveCgroup(String cgroup) implements Op {
        public RemoveCgroup { CgroupDef.validateName(cgroup); }
        public OpKind kind() { return OpKind.REMOVE_CGROUP; }
    }

    /** Write cpuset.cpus. */
    record SetCpuset(String cgroup, CpusetSpec cpus) implements Op {
        public SetCpuset {
            CgroupDef.validateName(cgroup);
            if (cpus == null) throw new IllegalArgumentException("SetCpuset needs a CpusetSpec (use ClearCpuset to clear)");
        }
        public OpKind kind() { return OpKind.SET_CPUSET; }
    }

    /** Write an empty cpuset.cpus (inherit the parent's). */
    record ClearCpuset(String cgroup) implements Op {
        public ClearCpuset { CgroupDef.validateName(cgroup); }
        public OpKind kind() { return OpKind.CLEAR_CPUSET; }
    }

    /** Exchange two cgroups' cpusets. */
    record SwapCpusets(String a, String b) implements Op {
        public SwapCpusets { CgroupDef.validateName(a); CgroupDef.validateName(b); }
        public OpKind kind() { return OpKind.SWAP_CPUSETS; }
    }

    /** Fork workers into a cgroup (never affected by the work-type override). */
    record Spawn(String cgroup, Work work) implements Op {
        public Spawn {
            CgroupDef.validateName(cgroup);
            if (work == null) work = Work.DEFAULT;
        }
        public OpKind kind() { return OpKind.SPAWN; }
    }

    /** Stop the cgroup's workers (their reports are checked at step end). */
    record StopCgroup(String cgroup) implements Op {
        public StopCgroup { CgroupDef.validateName(cgroup); }
        public OpKind kind() { return OpKind.STOP_CGROUP; }
    }

    /** Re-pin the cgroup's live workers. */
    record SetAffinity(String cgroup, AffinityKind affinity) implements Op {
        public SetAffinity {
            CgroupDef.validateName(cgroup);
            if (affinity == null) affinity = AffinityKind.INHERIT;
        }
        public OpKind kind() { return OpKind.SET_AFFINITY; }
    }

    /** Spawn workers in the harness root cgroup (host contention). */
    record SpawnHost(Work work) implements Op {
        public SpawnHost { if (work == null) work = Work.DEFAULT; }
        public OpKind kind() { return OpKind.SPAWN_HOST; }
    }

    /** Migrate every task of {@code from} into {@code to}. */
    record MoveAllTasks(String from, String to) implements Op {
        public MoveAllTasks { CgroupDef.validateName(from); CgroupDef.validateName(to); }
        public OpKind kind() { return OpKind.MOVE_ALL_TASKS; }
    }

    /** Start a binary payload in the background ({@code cgroup null} = harness root). */
    record RunPayload(Payload payload, List<String> args, String cgroup) implements Op {
        public RunPayload {
            if (payload == null) throw new IllegalArgumentException("RunPayload needs a payload");
            args = args == null ? List.of() : List.copyOf(args);
            if (cgroup != null) CgroupDef.validateName(cgroup);
        }
        public OpKind kind() { return OpKind.RUN_PAYLOAD; }
    }

    /** Wait for the payload to exit on its own; a non-zero exit fails the step. */
    record WaitPayload(String name, String cgroup) implements Op {
        public OpKind kind() { return OpKind.WAIT_PAYLOAD; }
    }

    /** SIGKILL + reap the payload. */
    record KillPayload(String name, String cgroup) implements Op {
        public OpKind kind() { return OpKind.KILL_PAYLOAD; }
    }

    // ---- string-accepting constructors ----
    static Op addCgroup(String name) { return new AddCgroup(name); }
    static Op removeCgroup(String cgroup) { return new RemoveCgroup(cgroup); }
    static Op setCpuset(String cgroup, CpusetSpec cpus) { return new SetCpuset(cgroup, cpus); }
    static Op clearCpuset(String cgroup) { return new ClearCpuset(cgroup); }
    static Op swapCpusets(String a, String b) { return new SwapCpusets(a, b); }
    static Op spawn(String cgroup, Work work) { return new Spawn(cgroup, work); }
    static Op spawn(String cgroup, WorkType type, int workers) { return new Spawn(cgroup, Work.of(type, workers)); }
    static Op stopCgroup(String cgroup) { return new StopCgroup(cgroup); }
    static Op setAffinity(String cgroup, AffinityKind affinity) { return new SetAffinity(cgroup, affinity); }
    static Op spawnHost(Work work) { return new SpawnHost(work); }
    static Op moveAllTasks(String from, String to) { return new MoveAllTasks(from, to); }
    static Op runPayload(Payload p, String... args) { return new RunPayload(p, List.of(args), null); }
    static Op runPayloadIn(String cgroup, Payload p, String... args) { return new RunPayload(p, List.of(args), cgroup); }
    static Op waitPayload(String name) { return new WaitPayload(name, null); }
    static Op killPayload(String name) { return new KillPayload(name, null); }
}
