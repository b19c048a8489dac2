package dev.ktstr.scenario;

/** Discriminant of {@link Op}; {@code 1 << ordinal()} is its bit in stimulus op-kind masks. */
public enum OpKind {
    ADD_CGROUP, REMOVE_CGROUP, SET_CPUSET, CLEAR_CPUSET, SWAP_CPUSETS, SPAWN, STOP_CGROUP, SET_AFFINITY,
    SPAWN_HOST, MOVE_ALL_TASKS, RUN_PAYLOAD, WAIT_PAYLOAD, KILL_PAYLOAD
}
