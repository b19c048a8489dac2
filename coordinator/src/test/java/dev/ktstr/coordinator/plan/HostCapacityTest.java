package dev.ktstr.coordinator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCapacityTest {

    @TempDir
    Path tmp;

    private void write(String rel, String text) throws IOException {
        Path p = tmp.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text + "\n");
    }

    private Path meminfo() throws IOException {
        write("proc/meminfo", "MemTotal:       24576000 kB\nMemFree:         1000 kB");
        return tmp.resolve("proc/meminfo");
    }

    @Test
    void countsL3GroupsFromSharedCpuLists() throws IOException {
        // 6 CPUs: L3 {0-3} and {4,5}; index2 is L2 and must not be mistaken for the LLC.
        for (int c = 0; c < 6; c++) {
            write("sys/devices/system/cpu/cpu" + c + "/cache/index2/level", "2");
            write("sys/devices/system/cpu/cpu" + c + "/cache/index2/shared_cpu_list", String.valueOf(c));
            write("sys/devices/system/cpu/cpu" + c + "/cache/index3/level", "3");
            write("sys/devices/system/cpu/cpu" + c + "/cache/index3/shared_cpu_list", c < 4 ? "0-3" : "4,5");
        }
        write("sys/devices/system/node/node0/cpulist", "0-3");
        write("sys/devices/system/node/node1/cpulist", "4-5");
        HostCapacity h = HostCapacity.detect(tmp.resolve("sys"), meminfo(), 6);
        assertThat(h).isEqualTo(new HostCapacity(6, 2, 4, 2, 24000));
    }

    @Test
    void fallsBackToPackageWhenThereIsNoL3() throws IOException {
        for (int c = 0; c < 4; c++) {
            write("sys/devices/system/cpu/cpu" + c + "/topology/physical_package_id", c < 2 ? "0" : "1");
            write("sys/devices/system/cpu/cpu" + c + "/topology/package_cpus_list", c < 2 ? "0-1" : "2-3");
        }
        HostCapacity h = HostCapacity.detect(tmp.resolve("sys"), meminfo(), 4);
        assertThat(h.llcGroups()).isEqualTo(2);
        assertThat(h.largestLlcCpus()).isEqualTo(2);
        assertThat(h.numaNodes()).isEqualTo(1);
    }

    @Test
    void affinityLimitsTheLargestLlc() throws IOException {
        for (int c = 0; c < 8; c++) {
            write("sys/devices/system/cpu/cpu" + c + "/cache/index3/level", "3");
            write("sys/devices/system/cpu/cpu" + c + "/cache/index3/shared_cpu_list", "0-7");
        }
        HostCapacity h = HostCapacity.detect(tmp.resolve("sys"), meminfo(), 2);
        assertThat(h.largestLlcCpus()).isEqualTo(2);
    }

    @Test
    void detectsThisMachine() {
        HostCapacity h = HostCapacity.detect();
        assertThat(h.logicalCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(h.largestLlcCpus()).isBetween(1, h.logicalCpus());
        assertThat(h.memoryMb()).isGreaterThan(100);
    }

    @Test
    void cpuListSyntax() {
        assertThat(dev.ktstr.protocol.topology.CpuLists.parse("0-3,8,10-11")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThatThrownBy(() -> dev.ktstr.protocol.topology.CpuLists.parse("0-x")).hasMessageContaining("malformed cpu list");
    }
}
