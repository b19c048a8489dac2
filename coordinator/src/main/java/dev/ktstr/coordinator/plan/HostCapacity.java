package dev.ktstr.coordinator.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a host can hold when it runs gauntlet VMs (ktstr-spec §6.3): logical CPUs usable by this
 * process, last-level-cache groups, the CPU count of the largest LLC, NUMA nodes and memory.
 */
public record HostCapacity(int logicalCpus, int llcGroups, int largestLlcCpus, int numaNodes, long memoryMb) {

    private static final Pattern CPU_DIR = Pattern.compile("cpu\\d+");
    private static final Pattern NODE_DIR = Pattern.compile("node\\d+");

    public HostCapacity {
        if (logicalCpus < 1 || llcGroups < 1 || largestLlcCpus < 1 || numaNodes < 1 || memoryMb < 1) {
            throw new IllegalArgumentException("host capacity values must all be >= 1: cpus=" + logicalCpus
                    + " llcs=" + llcGroups + " largestLlc=" + largestLlcCpus + " nodes=" + numaNodes
                    + " memoryMb=" + memoryMb);
        }
    }

    /** This machine, read from {@code /sys} and {@code /proc/meminfo}. */
    public static HostCapacity detect() {
        return detect(Path.of("/sys"), Path.of("/proc/meminfo"), Runtime.getRuntime().availableProcessors());
    }

    /**
     * Reads LLC groups from {@code devices/system/cpu/cpu*}/cache/index*} (the index whose
     * {@code level} is 3; {@code index3} when no level file exists), falling back to
     * {@code topology/physical_package_id} when a CPU has no L3 entry (some VMs and ARM boards).
     * {@code logicalCpus} comes from the caller (the JVM's available processors, i.e. the affinity
     * mask, as the spec's {@code available_parallelism}).
     */
    public static HostCapacity detect(Path sysRoot, Path meminfo, int logicalCpus) {
        Path cpuRoot = sysRoot.resolve("devices/system/cpu");
        Map<String, Integer> groupSizes = new HashMap<>();
        try (DirectoryStream<Path> cpus = Files.newDirectoryStream(cpuRoot, p -> CPU_DIR.matcher(p.getFileName().toString()).matches())) {
            for (Path cpu : cpus) {
                String key = llcKey(cpu);
                if (key != null) groupSizes.putIfAbsent(key, dev.ktstr.protocol.topology.CpuLists.parse(key.substring(key.indexOf(':') + 1)).size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + cpuRoot + " to detect host LLCs", e);
        }
        int llcs = Math.max(1, groupSizes.size());
        int largest = groupSizes.values().stream().mapToInt(Integer::intValue).max().orElse(logicalCpus);
        int nodes = countNodes(sysRoot.resolve("devices/system/node"));
        return new HostCapacity(logicalCpus, llcs, Math.max(1, Math.min(largest, logicalCpus)), nodes, memTotalMb(meminfo));
    }

    /** One key per LLC group: "llc:{shared_cpu_list}" or "pkg:{id}:{cpus of that package}". */
    private static String llcKey(Path cpu) {
        Path cacheDir = cpu.resolve("cache");
        Path l3 = null;
        if (Files.isDirectory(cacheDir)) {
            try (DirectoryStream<Path> idx = Files.newDirectoryStream(cacheDir, "index*")) {
                for (Path i : idx) {
                    String level = readOrNull(i.resolve("level"));
                    if ("3".equals(level)) l3 = i;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + cacheDir, e);
            }
            if (l3 == null && Files.isDirectory(cacheDir.resolve("index3")) && readOrNull(cacheDir.resolve("index3/level")) == null) {
                l3 = cacheDir.resolve("index3");
            }
        }
        if (l3 != null) {
            String shared = readOrNull(l3.resolve("shared_cpu_list"));
            if (shared != null) return "llc:" + shared;
        }
        String pkg = readOrNull(cpu.resolve("topology/physical_package_id"));
        String siblings = readOrNull(cpu.resolve("topology/package_cpus_list"));
        if (siblings == null) siblings = readOrNull(cpu.resolve("topology/core_siblings_list"));
        if (pkg != null && siblings != null) return "pkg" + pkg + ":" + siblings;
        // A CPU that says nothing about its cache counts as its own group of one.
        return "cpu:" + cpu.getFileName().toString().substring(3);
    }

    private static int countNodes(Path nodeRoot) {
        if (!Files.isDirectory(nodeRoot)) return 1;
        int n = 0;
        try (DirectoryStream<Path> nodes = Files.newDirectoryStream(nodeRoot, p -> NODE_DIR.matcher(p.getFileName().toString()).matches())) {
            for (Path ignored : nodes) n++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + nodeRoot, e);
        }
        return Math.max(1, n);
    }

    private static long memTotalMb(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    String[] f = line.trim().split("\\s+");
                    return Math.max(1, Long.parseLong(f[1]) / 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read MemTotal from " + meminfo + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException(meminfo + " has no MemTotal line");
    }

    private static String readOrNull(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return logicalCpus + " CPUs, " + llcGroups + " LLC" + (llcGroups == 1 ? "" : "s") + " (largest "
                + largestLlcCpus + " CPUs), " + numaNodes + " NUMA node" + (numaNodes == 1 ? "" : "s") + ", "
                + memoryMb + " MB";
    }

    /** Linux CPU list syntax ({@code 0-3,8,10-11}). */
}
