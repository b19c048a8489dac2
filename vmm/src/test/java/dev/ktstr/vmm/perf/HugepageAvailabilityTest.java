package dev.ktstr.vmm.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the host's hugepage pool and mounts from /proc and /sys text, and the use-or-fall-back decision. */
class HugepageAvailabilityTest {
    private static final String MEMINFO = """
            MemTotal:       24684000 kB
            HugePages_Total:     300
            HugePages_Free:      260
            HugePages_Rsvd:       10
            HugePages_Surp:        0
            Hugepagesize:       2048 kB
            """;

    /** A fake /proc and /sys under {@code root}, with a hugetlbfs mount at {@code root/hp}. */
    private static Path[] fakeHost(Path root, String meminfo, String mountOptions, boolean sysPool) throws IOException {
        Path proc = Files.createDirectories(root.resolve("proc/self"));
        Path mnt = Files.createDirectories(root.resolve("hp dir"));
        Files.writeString(proc.getParent().resolve("meminfo"), meminfo);
        Files.writeString(proc.getParent().resolve("stat"), "cpu 1 2 3\nprocs_running 3\nprocs_blocked 0\n");
        Files.writeString(proc.resolve("mounts"), "proc /proc proc rw 0 0\n"
                + "hugetlbfs /nowhere hugetlbfs rw,relatime,pagesize=2M 0 0\n" // not a directory here: skipped
                + "none " + mnt.toString().replace(" ", "\\040") + " hugetlbfs " + mountOptions + " 0 0\n");
        Path sys = root.resolve("sys");
        if (sysPool) {
            Path pool = Files.createDirectories(sys.resolve("kernel/mm/hugepages/hugepages-2048kB"));
            Files.writeString(pool.resolve("nr_hugepages"), "64\n");
            Files.writeString(pool.resolve("free_hugepages"), "64\n");
            Files.writeString(pool.resolve("resv_hugepages"), "4\n");
            for (int n = 0; n < 2; n++) {
                Path node = Files.createDirectories(sys.resolve("devices/system/node/node" + n + "/hugepages/hugepages-2048kB"));
                Files.writeString(node.resolve("free_hugepages"), n == 0 ? "40\n" : "24\n");
            }
        }
        return new Path[] {root.resolve("proc"), sys, mnt};
    }

    @Test
    void meminfoAndMountTableWhenSysfsHasNoPool(@TempDir Path root) throws Exception {
        Path[] h = fakeHost(root, MEMINFO, "rw,relatime,pagesize=2M", false);
        HostMemory m = HostMemory.read(h[0], h[1]);
        assertThat(m.availableHugepages2M()).isEqualTo(250); // free - reserved
        assertThat(m.totalHugepages2M()).isEqualTo(300);
        assertThat(m.hugetlbfsMount()).contains(h[2]); // "\040" in the mount table is a space
        assertThat(m.twoMegIsDefault()).isTrue();
        assertThat(m.freeHugepages2MByNode()).isEmpty();
        assertThat(m.procsRunning()).isEqualTo(3);
    }

    @Test
    void sysfsTwoMegPoolWinsOverMeminfoAndGivesPerNodeCounts(@TempDir Path root) throws Exception {
        Path[] h = fakeHost(root, MEMINFO.replace("2048 kB", "1048576 kB"), "rw,pagesize=2M", true);
        HostMemory m = HostMemory.read(h[0], h[1]);
        assertThat(m.availableHugepages2M()).isEqualTo(60);
        assertThat(m.totalHugepages2M()).isEqualTo(64);
        assertThat(m.twoMegIsDefault()).isFalse();
        assertThat(m.freeHugepages2MByNode()).isEqualTo(Map.of(0, 40L, 1, 24L));
        assertThat(m.hugetlbfsMount()).contains(h[2]);
    }

    @Test
    void oneGigMountsAreNotUsed(@TempDir Path root) throws Exception {
        Path[] explicit = fakeHost(root.resolve("a"), MEMINFO, "rw,pagesize=1024M", false);
        assertThat(HostMemory.read(explicit[0], explicit[1]).hugetlbfsMount()).isEmpty();
        // no pagesize= option: the mount has the default size, here 1 GiB
        Path[] byDefault = fakeHost(root.resolve("b"), MEMINFO.replace("2048 kB", "1048576 kB"), "rw,relatime", false);
        assertThat(HostMemory.read(byDefault[0], byDefault[1]).hugetlbfsMount()).isEmpty();
        assertThat(HostMemory.pageSizeKb("rw,pagesize=2048k", 1048576)).isEqualTo(2048);
        assertThat(HostMemory.pageSizeKb("rw,pagesize=1G,mode=1770", 2048)).isEqualTo(1048576);
    }

    @Test
    void missingProcAndSysMeanNoHugepages(@TempDir Path root) {
        HostMemory m = HostMemory.read(root.resolve("no-proc"), root.resolve("no-sys"));
        assertThat(m.availableHugepages2M()).isZero();
        assertThat(m.hugetlbfsMount()).isEmpty();
    }

    @Test
    void enoughFreePagesOnAMountAreUsed() {
        HostMemory m = HostMemory.of(128, Optional.of(Path.of("/dev/hugepages")));
        assertThat(HugepageDecision.decide(256, List.of(Set.of(0)), m)).isEqualTo(new HugepageDecision.Use(Path.of("/dev/hugepages"), 128));
    }

    @Test
    void tooFewPagesFallBackNamingTheSysctlToRaise() {
        HostMemory m = new HostMemory(100, 120, Map.of(), Optional.of(Path.of("/dev/hugepages")), true, "", 0);
        HugepageDecision d = HugepageDecision.decide(256, List.of(Set.of(0)), m);
        assertThat(d).isInstanceOf(HugepageDecision.Fallback.class);
        // 120 in the pool, 100 of them available, 128 needed: raise the pool to 148
        assertThat(((HugepageDecision.Fallback) d).reason()).isEqualTo(
                "100 free 2 MiB hugepages, 128 needed for 256 MB (fix: echo 148 > /proc/sys/vm/nr_hugepages)");
        HostMemory nonDefault = new HostMemory(0, 0, Map.of(), Optional.empty(), false, "", 0);
        assertThat(((HugepageDecision.Fallback) HugepageDecision.decide(256, List.of(Set.of(0)), nonDefault)).reason())
                .contains("echo 128 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages").contains("no hugetlbfs mount")
                .contains("mount -t hugetlbfs -o pagesize=2M");
    }

    @Test
    void freePagesWithoutAMountFallBackWithTheMountCommandAndWhyAutoMountFailed() {
        HostMemory m = new HostMemory(500, 500, Map.of(), Optional.empty(), true, "mounting one at /c/hugetlbfs failed: EPERM", 0);
        HugepageDecision d = HugepageDecision.decide(256, List.of(Set.of(0)), m);
        assertThat(((HugepageDecision.Fallback) d).reason()).contains("no writable 2 MiB hugetlbfs mount")
                .contains("EPERM").contains("mount -t hugetlbfs -o pagesize=2M none /dev/hugepages");
    }

    @Test
    void aBoundHostNodeWithoutEnoughPagesFallsBack() {
        Optional<Path> mnt = Optional.of(Path.of("/dev/hugepages"));
        HostMemory m = new HostMemory(200, 200, Map.of(0, 150L, 1, 50L), mnt, true, "", 0);
        // guest node 0 on host node 0 (64 pages), guest node 1 on host node 1 (64 pages): node 1 is short
        HugepageDecision d = HugepageDecision.decide(256, List.of(Set.of(0), Set.of(1)), m);
        assertThat(((HugepageDecision.Fallback) d).reason())
                .isEqualTo("host node 1 has 50 free 2 MiB hugepages, the guest RAM bound there needs 64 "
                        + "(fix: raise /sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages by 14)");
        // both guest nodes on host node 0: 128 pages there
        assertThat(HugepageDecision.decide(256, List.of(Set.of(0), Set.of(0)), m)).isInstanceOf(HugepageDecision.Use.class);
        // a guest node spread over several host nodes is not checked per node
        assertThat(HugepageDecision.decide(256, List.of(Set.of(0, 1)), new HostMemory(200, 200, Map.of(0, 10L, 1, 10L), mnt, true, "", 0)))
                .isInstanceOf(HugepageDecision.Use.class);
    }

    @Test
    void mountTablePathsAreUnescaped() {
        assertThat(HostMemory.unescape("/mnt/a\\040b\\011c\\134d")).isEqualTo("/mnt/a b\tc\\d");
        assertThat(HostMemory.unescape("/trailing\\04")).isEqualTo("/trailing\\04");
    }
}
