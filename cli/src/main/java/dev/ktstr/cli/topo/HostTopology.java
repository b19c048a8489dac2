package dev.ktstr.cli.topo;

import dev.ktstr.protocol.topology.CpuLists;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The host's CPUs, LLC groups and NUMA nodes, read from sysfs. An LLC group is the set of CPUs
 * sharing a level-3 cache ({@code cache/index3/shared_cpu_list}); CPUs without one are grouped by
 * package.
 */
record HostTopology(List<Integer> online, List<Group> llcs, List<Node> nodes) {

    record Group(List<Integer> cpus, String source) {}

    record Node(int id, List<Integer> cpus, Optional<Long> memKb) {}

    static HostTopology read(Path sys) throws IOException {
        Path cpuDir = sys.resolve("devices/system/cpu");
        List<Integer> online = cpus(readOr(cpuDir.resolve("online"), ""));
        Map<String, Group> llcs = new LinkedHashMap<>();
        for (int cpu : online) {
            Path c = cpuDir.resolve("cpu" + cpu);
            Optional<String> l3 = l3Shared(c);
            Group g;
            if (l3.isPresent()) {
                g = new Group(cpus(l3.get()), "L3");
            } else {
                String pkg = readOr(c.resolve("topology/package_cpus_list"), readOr(c.resolve("topology/core_siblings_list"), String.valueOf(cpu)));
                g = new Group(cpus(pkg), "package");
            }
            llcs.putIfAbsent(CpuLists.format(g.cpus()), g);
        }
        List<Node> nodes = new ArrayList<>();
        Path nodeDir = sys.resolve("devices/system/node");
        if (Files.isDirectory(nodeDir)) {
            try (Stream<Path> s = Files.list(nodeDir)) {
                for (Path n : s.filter(p -> p.getFileName().toString().matches("node\\d+")).sorted().toList()) {
                    int id = Integer.parseInt(n.getFileName().toString().substring(4));
                    nodes.add(new Node(id, cpus(readOr(n.resolve("cpulist"), "")), memTotalKb(n.resolve("meminfo"))));
                }
            }
        }
        nodes.sort(java.util.Comparator.comparingInt(Node::id));
        if (nodes.isEmpty()) nodes.add(new Node(0, online, Optional.empty())); // kernel without NUMA
        return new HostTopology(online, List.copyOf(llcs.values()), nodes);
    }

    private static Optional<String> l3Shared(Path cpu) throws IOException {
        Path cache = cpu.resolve("cache");
        if (!Files.isDirectory(cache)) return Optional.empty();
        try (Stream<Path> s = Files.list(cache)) {
            for (Path idx : s.filter(p -> p.getFileName().toString().startsWith("index")).sorted().toList()) {
                if (readOr(idx.resolve("level"), "").trim().equals("3")) {
                    return Optional.of(readOr(idx.resolve("shared_cpu_list"), ""));
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Long> memTotalKb(Path meminfo) {
        for (String line : readOr(meminfo, "").split("\n")) {
            int at = line.indexOf("MemTotal:");
            if (at >= 0) {
                String[] w = line.substring(at + 9).trim().split("\\s+");
                try {
                    return Optional.of(Long.parseLong(w[0]));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static String readOr(Path p, String fallback) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return fallback;
        }
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("CPUs: ").append(online.size()).append(" online (").append(CpuLists.format(online)).append(")\n");
        sb.append("LLCs: ").append(llcs.size()).append('\n');
        for (int i = 0; i < llcs.size(); i++) {
            Group g = llcs.get(i);
            sb.append("  llc").append(i).append(": cpus ").append(CpuLists.format(g.cpus())).append(" (")
                    .append(g.cpus().size()).append(" CPUs, by ").append(g.source()).append(")\n");
        }
        sb.append("NUMA nodes: ").append(nodes.size()).append('\n');
        for (Node n : nodes) {
            sb.append("  node").append(n.id()).append(": cpus ").append(n.cpus().isEmpty() ? "none (memory only)" : CpuLists.format(n.cpus()));
            n.memKb().ifPresent(kb -> sb.append(", ").append(kb / 1024).append(" MB"));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static List<Integer> cpus(String list) {
        return List.copyOf(CpuLists.parse(list));
    }
}
