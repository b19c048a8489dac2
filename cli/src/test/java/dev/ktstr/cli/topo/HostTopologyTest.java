package dev.ktstr.cli.topo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostTopologyTest {

    private static void write(Path p, String s) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, s + "\n");
    }

    @Test
    void cpuListRoundTrip() {
        assertThat(dev.ktstr.protocol.topology.CpuLists.parse("0-3,8,10-11")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(dev.ktstr.protocol.topology.CpuLists.format(List.of(11, 10, 8, 3, 2, 1, 0))).isEqualTo("0-3,8,10-11");
        assertThat(dev.ktstr.protocol.topology.CpuLists.parse("")).isEmpty();
    }

    @Test
    void groupsByL3AndReadsNodes(@TempDir Path sys) throws Exception {
        Path cpu = sys.resolve("devices/system/cpu");
        write(cpu.resolve("online"), "0-3");
        for (int c = 0; c < 4; c++) {
            write(cpu.resolve("cpu" + c + "/cache/index0/level"), "1");
            write(cpu.resolve("cpu" + c + "/cache/index0/shared_cpu_list"), String.valueOf(c));
            write(cpu.resolve("cpu" + c + "/cache/index3/level"), "3");
            write(cpu.resolve("cpu" + c + "/cache/index3/shared_cpu_list"), c < 2 ? "0-1" : "2-3");
        }
        write(sys.resolve("devices/system/node/node0/cpulist"), "0-1");
        write(sys.resolve("devices/system/node/node0/meminfo"), "Node 0 MemTotal:       2048000 kB\nNode 0 MemFree: 1 kB");
        write(sys.resolve("devices/system/node/node1/cpulist"), "2-3");
        HostTopology t = HostTopology.read(sys);
        assertThat(t.online()).containsExactly(0, 1, 2, 3);
        assertThat(t.llcs()).extracting(HostTopology.Group::cpus).containsExactly(List.of(0, 1), List.of(2, 3));
        assertThat(t.nodes()).hasSize(2);
        assertThat(t.render()).contains("LLCs: 2").contains("llc1: cpus 2-3 (2 CPUs, by L3)").contains("node0: cpus 0-1, 2000 MB")
                .contains("NUMA nodes: 2");
    }

    @Test
    void fallsBackToPackageWithoutL3(@TempDir Path sys) throws Exception {
        Path cpu = sys.resolve("devices/system/cpu");
        write(cpu.resolve("online"), "0-1");
        write(cpu.resolve("cpu0/topology/package_cpus_list"), "0-1");
        write(cpu.resolve("cpu1/topology/package_cpus_list"), "0-1");
        HostTopology t = HostTopology.read(sys);
        assertThat(t.llcs()).hasSize(1);
        assertThat(t.llcs().get(0).source()).isEqualTo("package");
        assertThat(t.nodes()).hasSize(1); // no node dir: one implicit node
    }
}
