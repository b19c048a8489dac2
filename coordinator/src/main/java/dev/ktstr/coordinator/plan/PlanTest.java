package dev.ktstr.coordinator.plan;

import dev.ktstr.protocol.topology.Topology;
import java.util.List;
import java.util.Objects;

/**
 * One resolved test as the planner sees it: the fields of the test entry that naming, preset
 * filtering, flag profiles and budget selection need (ktstr-spec §1.2, §6, §7). {@code id} is the
 * caller's stable identity of the test (e.g. {@code com.acme.MyTests#cpusetSplit}); {@code name}
 * is what appears in variant names ({@code ktstr/{name}}).
 */
public record PlanTest(
        String id,
        String name,
        String schedulerName,
        List<PlanFlag> declaredFlags,
        List<String> requiredFlags,
        List<String> excludedFlags,
        Topology topology,
        PlanConstraints constraints,
        int memoryMb,
        int durationS,
        int workersPerCgroup,
        boolean performanceMode,
        boolean hostOnly,
        boolean expectErr) {

    public PlanTest {
        Objects.requireNonNull(id, "test id");
        if (name == null || name.isBlank()) throw new IllegalArgumentException("test " + id + " has a blank name");
        if (name.contains("/")) {
            throw new IllegalArgumentException("test name '" + name + "' contains '/', which separates variant name parts; rename the test");
        }
        schedulerName = schedulerName == null ? "eevdf" : schedulerName;
        declaredFlags = declaredFlags == null ? List.of() : List.copyOf(declaredFlags);
        requiredFlags = requiredFlags == null ? List.of() : List.copyOf(requiredFlags);
        excludedFlags = excludedFlags == null ? List.of() : List.copyOf(excludedFlags);
        topology = topology == null ? Topology.DEFAULT : topology;
        constraints = constraints == null ? PlanConstraints.DEFAULT : constraints;
        if (memoryMb <= 0) throw new IllegalArgumentException("test " + name + ": memory_mb must be > 0, got " + memoryMb);
        if (durationS <= 0) throw new IllegalArgumentException("test " + name + ": duration_s must be > 0, got " + durationS);
        if (workersPerCgroup <= 0) {
            throw new IllegalArgumentException("test " + name + ": workers_per_cgroup must be > 0, got " + workersPerCgroup);
        }
    }

    /** A test with the spec defaults (§1.2 {@code KtstrTestEntry::DEFAULT}) and the given name. */
    public static PlanTest defaults(String name) {
        return new PlanTest(name, name, "eevdf", List.of(), List.of(), List.of(), Topology.DEFAULT,
                PlanConstraints.DEFAULT, 2048, 2, 2, false, false, false);
    }

    public PlanTest withId(String newId) {
        return new PlanTest(newId, name, schedulerName, declaredFlags, requiredFlags, excludedFlags, topology, constraints,
                memoryMb, durationS, workersPerCgroup, performanceMode, hostOnly, expectErr);
    }

    public PlanTest withScheduler(String scheduler, List<PlanFlag> flags) {
        return new PlanTest(id, name, scheduler, flags, requiredFlags, excludedFlags, topology, constraints,
                memoryMb, durationS, workersPerCgroup, performanceMode, hostOnly, expectErr);
    }

    public PlanTest withFlags(List<String> required, List<String> excluded) {
        return new PlanTest(id, name, schedulerName, declaredFlags, required, excluded, topology, constraints,
                memoryMb, durationS, workersPerCgroup, performanceMode, hostOnly, expectErr);
    }

    public PlanTest withTopology(Topology t) {
        return new PlanTest(id, name, schedulerName, declaredFlags, requiredFlags, excludedFlags, t, constraints,
                memoryMb, durationS, workersPerCgroup, performanceMode, hostOnly, expectErr);
    }

    public PlanTest withConstraints(PlanConstraints c) {
        return new PlanTest(id, name, schedulerName, declaredFlags, requiredFlags, excludedFlags, topology, c,
                memoryMb, durationS, workersPerCgroup, performanceMode, hostOnly, expectErr);
    }

    public PlanTest withExecution(int durationS, int workersPerCgroup, boolean performanceMode, boolean hostOnly,
                                  boolean expectErr) {
        return new PlanTest(id, name, schedulerName, declaredFlags, requiredFlags, excludedFlags, topology,
                constraints, memoryMb, durationS, workersPerCgroup, performanceMode, hostOnly, expectErr);
    }
}
