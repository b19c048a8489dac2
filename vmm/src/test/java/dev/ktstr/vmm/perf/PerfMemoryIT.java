package dev.ktstr.vmm.perf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.vmm.monitor.GuestMemory;
import dev.ktstr.vmm.monitor.KernelAddressSpace;
import dev.ktstr.vmm.monitor.KernelSymbols;
import dev.ktstr.vmm.monitor.MonitorConfig;
import dev.ktstr.vmm.monitor.TestKernel;
import dev.ktstr.vmm.qemu.AccelMode;
import dev.ktstr.vmm.qemu.AcceleratorChooser;
import dev.ktstr.vmm.qemu.HostVirtFacts;
import dev.ktstr.vmm.qemu.QemuVm;
import dev.ktstr.vmm.qemu.RamBacking;
import dev.ktstr.vmm.qemu.VmExit;
import dev.ktstr.vmm.qemu.VmSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guest RAM of a 1-vCPU performance-mode VM on the real host: on 2 MiB hugepages bound to the
 * pinned CPU's NUMA node when the pool has them (this test grows the pool itself and restores
 * it), and on a plain shared file with the reason recorded when it does not. Needs root (the
 * hugepage sysctl and a hugetlbfs mount).
 */
class PerfMemoryIT {
    static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");
    static final int MEMORY_MB = 256;
    static final long PAGES = MEMORY_MB / 2;

    @Test
    void guestRamOnHugetlbfsBoundToThePinnedCpusNode(@TempDir Path dir) throws Exception {
        long oldNr = Long.parseLong(Files.readString(NR_HUGEPAGES).strip());
        Path mountPoint = dir.resolve("hugetlbfs");
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "ktstr-perf-it-");
        try {
            ensureAvailable(PAGES);
            HostMemory mem = HostMemory.readOrMount(mountPoint);
            assertThat(mem.hugetlbfsMount()).as("a 2 MiB hugetlbfs mount (found or made): %s", mem.mountNote()).isPresent();
            HostTopology host = HostTopology.read();
            Topology topo = Topology.parse("1,1,1,1");
            try (HostReservation r = HostReservation.acquire(host, topo, MEMORY_MB, mem, dir, Duration.ZERO)) {
                PerfPlan plan = r.plan();
                assertThat(plan.hugepages()).isEqualTo(new HugepageDecision.Use(mem.hugetlbfsMount().get(), PAGES));
                int node = host.nodeOf(plan.vcpuHostCpu().get(0));
                assertThat(plan.guestNodeHostNodes()).containsExactly(Set.of(node));
                RamBacking ram = r.ramBacking(new RamBacking.SharedFile(shm));
                long freeBefore = freePages();
                VmSpec spec = spec(dir, "perf-huge-it", ram, plan);
                Path ramFile;
                try (QemuVm vm = QemuVm.start(spec)) {
                    awaitInit(vm);
                    assertThat(vm.ramFallbackReason()).isEmpty();
                    AppliedPerf applied = PerfMode.apply(plan, vm, vm.vcpuThreads(), false);
                    assertThat(applied.memory()).isEqualTo(new MemoryPlacement("hugetlbfs", Optional.empty(), List.of(Set.of(node)), MEMORY_MB));

                    // QEMU preallocated every page of the guest's RAM from the pool
                    long freeDuring = freePages();
                    System.out.println("perf memory IT: HugePages_Free " + freeBefore + " -> " + freeDuring + " while the VM runs");
                    assertThat(freeBefore - freeDuring).isGreaterThanOrEqualTo(PAGES);
                    ramFile = singleRamFile(ram.fileDir().get());
                    String line = numaMapsLine(vm.pid(), ramFile);
                    System.out.println("perf memory IT: numa_maps: " + line);
                    assertThat(line).contains("bind:" + node).contains(" huge ").contains("kernelpagesize_kB=2048")
                            .contains("N" + node + "=" + PAGES);

                    // the host monitor reads guest memory from the hugetlbfs file (mmap at 2 MiB-aligned offsets)
                    MonitorConfig cfg = MonitorConfig.forVm(vm, TestKernel.systemMap(), TestKernel.btf(), TestKernel.config());
                    assertThat(cfg.ram()).allMatch(reg -> reg.file().equals(ramFile));
                    try (GuestMemory gm = GuestMemory.map(cfg.ram())) {
                        KernelSymbols syms = KernelSymbols.read(TestKernel.systemMap());
                        byte[] banner = KernelAddressSpace.read(gm, syms).read(syms.require("linux_banner"), 14);
                        System.out.println("perf memory IT: monitor read '" + new String(banner, StandardCharsets.US_ASCII) + "' from " + ramFile);
                        assertThat(new String(banner, StandardCharsets.US_ASCII)).isEqualTo("Linux version ");
                    }
                    assertThat(vm.awaitExit().exit()).isEqualTo(new VmExit.GuestPoweroff(java.util.OptionalInt.of(0)));
                }
                assertThat(ramFile).doesNotExist();
                assertThat(freePages()).as("pages back in the pool after the VM").isEqualTo(freeBefore);
            }
            try (Stream<Path> s = Files.list(mem.hugetlbfsMount().get())) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ktstr-ram-" + ProcessHandle.current().pid() + "-")))
                        .as("the reservation removes its RAM directory").isEmpty();
            }
        } finally {
            unmountIfOurs(mountPoint);
            Files.writeString(NR_HUGEPAGES, oldNr + "\n");
            deleteTree(shm);
        }
    }

    @Test
    void withoutHugepagesTheVmRunsOnAFileAndSaysWhy(@TempDir Path dir) throws Exception {
        long oldNr = Long.parseLong(Files.readString(NR_HUGEPAGES).strip());
        Path mountPoint = dir.resolve("hugetlbfs");
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "ktstr-perf-it-");
        HostTopology host = HostTopology.read();
        Topology topo = Topology.parse("1,1,1,1");
        try {
            // 1. planned without pages: a warning naming the fix, a plain file, still bound to the node
            HostMemory none = new HostMemory(0, oldNr, Map.of(), Optional.empty(), true, "", 0);
            try (HostReservation r = HostReservation.acquire(host, topo, MEMORY_MB, none, dir, Duration.ZERO)) {
                PerfPlan plan = r.plan();
                assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).startsWith("guest RAM on normal pages: 0 free 2 MiB hugepages, 128 needed")
                        .contains("echo " + (oldNr + PAGES) + " > /proc/sys/vm/nr_hugepages"));
                int node = host.nodeOf(plan.vcpuHostCpu().get(0));
                RamBacking ram = r.ramBacking(new RamBacking.SharedFile(shm));
                assertThat(ram).isEqualTo(new RamBacking.SharedFile(shm));
                try (QemuVm vm = QemuVm.start(spec(dir, "perf-file-it", ram, plan))) {
                    awaitInit(vm);
                    AppliedPerf applied = PerfMode.apply(plan, vm, vm.vcpuThreads(), false);
                    System.out.println("perf memory IT: fallback recorded: " + applied.memory());
                    assertThat(applied.memory().backing()).isEqualTo("file");
                    assertThat(applied.memory().fallbackReason()).hasValueSatisfying(x -> assertThat(x).contains("echo " + (oldNr + PAGES)));
                    assertThat(applied.memory().hostNodes()).containsExactly(Set.of(node));
                    String line = numaMapsLine(vm.pid(), singleRamFile(shm));
                    System.out.println("perf memory IT: numa_maps: " + line);
                    assertThat(line).contains("bind:" + node).doesNotContain(" huge ");
                    assertThat(vm.awaitExit().exit()).isEqualTo(new VmExit.GuestPoweroff(java.util.OptionalInt.of(0)));
                }
            }

            // 2. planned with pages that are gone when QEMU starts: the start-time reservation
            //    fails, QEMU boots on the fallback file, and the VM says why
            ensureAvailable(PAGES);
            HostMemory mem = HostMemory.readOrMount(mountPoint);
            try (HostReservation r = HostReservation.acquire(host, topo, MEMORY_MB, mem, dir, Duration.ZERO)) {
                assertThat(r.plan().usesHugepages()).isTrue();
                RamBacking ram = r.ramBacking(new RamBacking.SharedFile(shm));
                Files.writeString(NR_HUGEPAGES, "0\n"); // someone took the pool
                try (QemuVm vm = QemuVm.start(spec(dir, "perf-race-it", ram, r.plan()))) {
                    System.out.println("perf memory IT: start-time fallback: " + vm.ramFallbackReason().orElse("(none)"));
                    assertThat(vm.ramFallbackReason()).hasValueSatisfying(x -> assertThat(x).contains("cannot hold 128 more 2 MiB pages")
                            .contains("falls back to file in " + shm));
                    assertThat(vm.spec().ramBacking()).isEqualTo(new RamBacking.SharedFile(shm));
                    assertThat(vm.spec().sharedMemoryDir()).contains(shm);
                    assertThat(PerfMode.memoryPlacement(r.plan(), vm.spec(), vm.ramFallbackReason()).backing()).isEqualTo("file");
                    try (Stream<Path> s = Files.list(ram.fileDir().get())) {
                        assertThat(s.toList()).as("no half-reserved hugetlbfs file left").isEmpty();
                    }
                    vm.vcpuThreads(); // QEMU is up on the fallback backing
                }
            }
        } finally {
            unmountIfOurs(mountPoint);
            Files.writeString(NR_HUGEPAGES, oldNr + "\n");
            deleteTree(shm);
        }
    }

    static VmSpec spec(Path dir, String name, RamBacking ram, PerfPlan plan) throws IOException {
        Path initrd = TestKernel.initramfs(dir, "sleep 5\necho KTSTR_EXIT=0\npoweroff -f\n");
        return VmSpec.builder(TestKernel.vmlinux(), initrd).name(name).topology(plan.vm()).memoryMb(plan.memoryMb())
                .ramBacking(ram).ramHostNodes(plan.guestNodeHostNodes())
                .accel(AcceleratorChooser.decide(AccelMode.AUTO, HostVirtFacts.probe())).timeout(Duration.ofSeconds(90)).build();
    }

    static void awaitInit(QemuVm vm) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (vm.timeToInit().isEmpty() && vm.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(vm.timeToInit()).as("guest /init started; console:\n%s", vm.consoleText()).isPresent();
    }

    /** Grows the 2 MiB pool so at least {@code pages} are available; the caller restores the old size. */
    static void ensureAvailable(long pages) throws IOException {
        if (!Files.isWritable(NR_HUGEPAGES)) throw new AssertionError("this IT needs root: it sizes the hugepage pool through " + NR_HUGEPAGES);
        HostMemory m = HostMemory.read();
        if (m.availableHugepages2M() >= pages) return;
        long target = m.totalHugepages2M() + pages - m.availableHugepages2M();
        Files.writeString(NR_HUGEPAGES, target + "\n");
        assertThat(HostMemory.read().availableHugepages2M()).as("the kernel gave %d hugepages (memory fragmented?)", target)
                .isGreaterThanOrEqualTo(pages);
    }

    static long freePages() throws IOException {
        return Long.parseLong(Files.readString(Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages")).strip());
    }

    static Path singleRamFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".ram")).toList();
            assertThat(files).hasSize(1);
            return files.get(0);
        }
    }

    /** The {@code /proc/PID/numa_maps} line of QEMU's mapping of {@code file}. */
    static String numaMapsLine(long pid, Path file) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "numa_maps"));
        return lines.stream().filter(l -> l.contains("file=" + file + " ") || l.endsWith("file=" + file)).findFirst()
                .orElseThrow(() -> new AssertionError("QEMU " + pid + " does not map " + file + ":\n" + String.join("\n", lines)));
    }

    static void unmountIfOurs(Path mountPoint) throws Exception {
        boolean mounted = Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.split(" ")[1].equals(mountPoint.toString()));
        if (!mounted) return;
        Process p = new ProcessBuilder("umount", mountPoint.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError("umount " + mountPoint + " failed: " + out);
    }

    static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
