package dev.ktstr.coordinator.plan;

import dev.ktstr.protocol.topology.Topology;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A named gauntlet topology (ktstr-spec §6.2). {@code memoryMb} is the nominal value from the
 * table; the runner sizes VM memory with {@link #vmMemoryMb(Topology, int)}.
 */
public record TopologyPreset(String name, Topology topology, int memoryMb) {

    public TopologyPreset {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("preset name must not be blank");
        if (topology == null) throw new IllegalArgumentException("preset " + name + " has no topology");
        if (memoryMb <= 0) throw new IllegalArgumentException("preset " + name + " memory must be > 0");
    }

    /** The 24 x86_64 presets, in the order of the spec's table (which is also the listing order). */
    public static final List<TopologyPreset> X86_64 = List.of(
            p("tiny-1llc", 1, 1, 4, 1, 2048),
            p("tiny-2llc", 1, 2, 2, 1, 2048),
            p("odd-3llc", 1, 3, 3, 1, 2048),
            p("odd-5llc", 1, 5, 3, 1, 2048),
            p("odd-7llc", 1, 7, 2, 1, 2048),
            p("smt-2llc", 1, 2, 2, 2, 2048),
            p("smt-3llc", 1, 3, 2, 2, 2048),
            p("medium-4llc", 1, 4, 4, 2, 2048),
            p("medium-8llc", 1, 8, 4, 2, 2048),
            p("large-4llc", 1, 4, 16, 2, 2048),
            p("large-8llc", 1, 8, 8, 2, 2048),
            p("near-max-llc", 1, 15, 8, 2, 2048),
            p("max-cpu", 1, 14, 9, 2, 4096),
            p("medium-4llc-nosmt", 1, 4, 8, 1, 2048),
            p("medium-8llc-nosmt", 1, 8, 8, 1, 2048),
            p("large-4llc-nosmt", 1, 4, 32, 1, 2048),
            p("large-8llc-nosmt", 1, 8, 16, 1, 2048),
            p("near-max-llc-nosmt", 1, 15, 16, 1, 2048),
            p("max-cpu-nosmt", 1, 14, 18, 1, 4096),
            p("numa2-4llc", 2, 4, 4, 1, 2048),
            p("numa2-8llc", 2, 8, 8, 2, 2048),
            p("numa2-8llc-nosmt", 2, 8, 16, 1, 2048),
            p("numa4-8llc", 4, 8, 4, 1, 2048),
            p("numa4-12llc", 4, 12, 8, 2, 4096));

    private static final Set<String> AARCH64_NAMES = Set.of(
            "tiny-1llc", "tiny-2llc", "odd-3llc", "odd-5llc", "odd-7llc",
            "medium-4llc-nosmt", "medium-8llc-nosmt", "large-4llc-nosmt", "large-8llc-nosmt",
            "near-max-llc-nosmt", "max-cpu-nosmt", "numa2-4llc", "numa2-8llc-nosmt", "numa4-8llc");

    /** The 14 aarch64 presets (SMT presets dropped), in table order. */
    public static final List<TopologyPreset> AARCH64 =
            X86_64.stream().filter(t -> AARCH64_NAMES.contains(t.name())).toList();

    /** Presets for an architecture name as printed by {@code uname -m} / {@code os.arch}. */
    public static List<TopologyPreset> forArch(String arch) {
        String a = arch == null ? "" : arch.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "x86_64", "amd64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new IllegalArgumentException("no gauntlet presets for architecture '" + arch
                    + "': supported are x86_64 (amd64) and aarch64 (arm64)");
        };
    }

    public static Optional<TopologyPreset> byName(String name) {
        return X86_64.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** CPUs of a topology: LLCs (the machine total, spread over nodes) x cores x threads. */
    public static int cpus(Topology t) {
        return t.totalCpus();
    }

    public int cpus() {
        return cpus(topology);
    }

    /** VM memory the runner should use for this topology: {@code max(cpus x 64, 256, entryMemoryMb)} (spec §6.2). */
    public static int vmMemoryMb(Topology t, int entryMemoryMb) {
        return Math.max(Math.max(cpus(t) * 64, 256), entryMemoryMb);
    }

    private static TopologyPreset p(String name, int n, int l, int c, int t, int mb) {
        return new TopologyPreset(name, new Topology(n, l, c, t), mb);
    }
}
