package dev.ktstr.vmm.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The host CPUs this process may use, grouped by LLC. LLC ids are normalised to the lowest CPU
 * of each LLC's {@code shared_cpu_list}, so they are stable and need no cache {@code id} file.
 */
public record HostTopology(List<HostCpu> cpus) {
    public HostTopology {
        cpus = List.copyOf(cpus);
    }

    /** LLC id to its CPUs (ascending), in ascending LLC order. */
    public Map<Integer, List<Integer>> llcGroups() {
        Map<Integer, List<Integer>> m = new TreeMap<>();
        for (HostCpu c : cpus) m.computeIfAbsent(c.llc(), k -> new ArrayList<>()).add(c.cpu());
        m.values().forEach(l -> l.sort(Integer::compare));
        return m;
    }

    public int nodeOf(int cpu) {
        return cpus.stream().filter(c -> c.cpu() == cpu).findFirst().map(HostCpu::node).orElse(0);
    }

    public static HostTopology read() throws IOException {
        return read(Path.of("/sys/devices/system/cpu"), Path.of("/sys/devices/system/node"), Native.allowedCpus());
    }

    static HostTopology read(Path cpuDir, Path nodeDir, Set<Integer> allowed) throws IOException {
        Map<Integer, Integer> nodeOf = new TreeMap<>();
        if (Files.isDirectory(nodeDir)) {
            try (var s = Files.list(nodeDir)) {
                for (Path n : s.filter(p -> p.getFileName().toString().matches("node\\d+")).toList()) {
                    int node = Integer.parseInt(n.getFileName().toString().substring(4));
                    for (int c : parseList(Files.readString(n.resolve("cpulist")))) nodeOf.put(c, node);
                }
            }
        }
        List<HostCpu> out = new ArrayList<>();
        for (int cpu : allowed) {
            Path cache = cpuDir.resolve("cpu" + cpu).resolve("cache");
            int llc = cpu;
            int bestLevel = -1;
            if (Files.isDirectory(cache)) {
                try (var s = Files.list(cache)) {
                    for (Path idx : s.filter(p -> p.getFileName().toString().matches("index\\d+")).toList()) {
                        int level = Integer.parseInt(Files.readString(idx.resolve("level")).strip());
                        String type = Files.readString(idx.resolve("type")).strip();
                        if (type.equals("Instruction") || level <= bestLevel) continue;
                        bestLevel = level;
                        llc = parseList(Files.readString(idx.resolve("shared_cpu_list"))).first();
                    }
                }
            }
            out.add(new HostCpu(cpu, llc, nodeOf.getOrDefault(cpu, 0)));
        }
        return new HostTopology(out);
    }

    /** Parses a kernel cpu list such as {@code 0-3,8,10-11} ({@link dev.ktstr.protocol.topology.CpuLists#parse}). */
    public static TreeSet<Integer> parseList(String list) {
        return dev.ktstr.protocol.topology.CpuLists.parse(list);
    }

    /** Renders a set as a kernel cpu list ({@code 0-3,8}). */
    public static String renderList(Set<Integer> set) {
        return dev.ktstr.protocol.topology.CpuLists.format(set);
    }
}
