package dev.ktstr.coordinator.plan;

import dev.ktstr.protocol.topology.Topology;
import java.util.List;
import java.util.Objects;

/**
 * One runnable unit of a plan: a test on one topology with one flag profile on one kernel.
 *
 * @param name           {@code ktstr/{test}[/{kernel}]} or {@code gauntlet/{test}/{preset}/{profile}[/{kernel}]}
 * @param testId         the caller's identity of the test ({@link PlanTest#id()})
 * @param test           the planner's view of the test (constraints, duration, flags...)
 * @param topology       VM topology (the test's own for base variants, the preset's for gauntlet ones)
 * @param presetName     preset name for gauntlet variants, null for base ones
 * @param activeFlags    scheduler flags active in this variant, declaration order
 * @param kernelLabel    {@code kernel_...} label when kernels were given, else null (default kernel)
 * @param estimatedSecs  the plan's cost model estimate
 * @param gauntlet       true for gauntlet variants
 * @param memoryMb       VM memory per ktstr-spec §6.2: {@code max(cpus x 64, 256, memory_mb)}, before the initramfs floor
 * @param overcommitted  true when the VM needs more than the host really has (allowed by {@link Overcommit})
 * @param ignored        ktstr-spec §6.5 "ignored" (run only when asked): every gauntlet variant, and base tests named {@code demo_*}
 */
public record Variant(
        String name,
        String testId,
        PlanTest test,
        Topology topology,
        String presetName,
        List<String> activeFlags,
        String kernelLabel,
        double estimatedSecs,
        boolean gauntlet,
        int memoryMb,
        boolean overcommitted,
        boolean ignored) {

    public Variant {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(topology, "topology");
        activeFlags = List.copyOf(activeFlags);
    }

    public Variant withEstimatedSecs(double secs) {
        return new Variant(name, testId, test, topology, presetName, activeFlags, kernelLabel, secs, gauntlet, memoryMb, overcommitted, ignored);
    }

    public Variant withName(String n) {
        return new Variant(n, testId, test, topology, presetName, activeFlags, kernelLabel, estimatedSecs, gauntlet, memoryMb, overcommitted, ignored);
    }

    /** {@code default} or the active flags joined with {@code +}. */
    public String profileName() {
        return new FlagProfile(activeFlags).name();
    }

    /** The listing line ({@code NAME: test}), as nextest's terse format and {@code ktstr test --list} print it. */
    public String listLine() {
        return name + ": test";
    }

    public int cpus() {
        return TopologyPreset.cpus(topology);
    }
}
