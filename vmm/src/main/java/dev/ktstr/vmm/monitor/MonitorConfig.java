package dev.ktstr.vmm.monitor;

import dev.ktstr.vmm.qemu.MachineType;
import dev.ktstr.vmm.qemu.QemuVm;
import dev.ktstr.vmm.qemu.VcpuThread;
import dev.ktstr.vmm.qemu.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * What the monitor needs to know about one VM.
 *
 * @param ram               guest RAM regions backed by shared files
 * @param systemMap         the guest kernel's System.map
 * @param btf               the guest kernel's raw BTF (vmlinux.btf)
 * @param kernelConfig      .config next to the image; used only if the guest has no IKCONFIG
 * @param cpus              guest CPU count
 * @param qemuPid           QEMU's pid (vCPU thread times are read under /proc/pid/task)
 * @param vcpus             vCPU host threads (cpu index = guest CPU number)
 * @param interval          sampling period (spec: 100 ms)
 * @param startDelay        wait before the first memory access (spec: 500 ms)
 * @param bootWait          how long to wait for the guest kernel to reach SYSTEM_RUNNING (spec: 30 s)
 * @param watchdogTimeoutS  sched_ext watchdog override, applied whenever a scheduler is enabled
 */
public record MonitorConfig(List<RamRegion> ram, Path systemMap, Path btf, Optional<Path> kernelConfig, int cpus, long qemuPid,
                            List<VcpuThread> vcpus, Duration interval, Duration startDelay, Duration bootWait,
                            OptionalDouble watchdogTimeoutS) {
    public static final Duration INTERVAL = Duration.ofMillis(100);
    public static final Duration START_DELAY = Duration.ofMillis(500);
    public static final Duration BOOT_WAIT = Duration.ofSeconds(30);

    public MonitorConfig {
        ram = List.copyOf(ram);
        vcpus = List.copyOf(vcpus);
        if (ram.isEmpty()) throw new IllegalArgumentException("monitor needs the guest RAM files: start the VM with VmSpec.sharedMemoryDir");
        if (cpus < 1) throw new IllegalArgumentException("cpus must be >= 1");
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
    }

    public MonitorConfig withWatchdogTimeout(double seconds) {
        return new MonitorConfig(ram, systemMap, btf, kernelConfig, cpus, qemuPid, vcpus, interval, startDelay, bootWait, OptionalDouble.of(seconds));
    }

    public MonitorConfig withInterval(Duration d) {
        return new MonitorConfig(ram, systemMap, btf, kernelConfig, cpus, qemuPid, vcpus, d, startDelay, bootWait, watchdogTimeoutS);
    }

    /**
     * Config for a running {@link QemuVm} started with {@link VmSpec#sharedMemoryDir()}. The RAM
     * files are found in that directory by the VM name prefix QEMU's command builder uses
     * ({@code <name>-<rundir>.ram}, plus {@code .N} per NUMA node); give each VM its own directory
     * (or its own name) so the match is unique.
     */
    public static MonitorConfig forVm(QemuVm vm, Path systemMap, Path btf, Optional<Path> kernelConfig) throws IOException {
        VmSpec spec = vm.spec();
        Path dir = spec.sharedMemoryDir().orElseThrow(() -> new IllegalArgumentException(
                "VM " + spec.name() + " has anonymous RAM; the host monitor needs VmSpec.sharedMemoryDir (shared-file RAM)"));
        List<VcpuThread> vcpus = vm.vcpuThreads(); // QMP answers only after QEMU created the RAM files
        int nodes = spec.topology().numaNodes();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> cands = s.filter(p -> p.getFileName().toString().startsWith(spec.name() + "-")
                    && p.getFileName().toString().matches(".*\\.ram(\\.\\d+)?")).sorted(Comparator.comparing(Path::toString)).toList();
            if (nodes == 1) {
                files.addAll(cands.stream().filter(p -> p.toString().endsWith(".ram")).toList());
            } else {
                for (int i = 0; i < nodes; i++) {
                    String suffix = ".ram." + i;
                    files.addAll(cands.stream().filter(p -> p.toString().endsWith(suffix)).toList());
                }
            }
        }
        if (files.size() != nodes) {
            throw new IOException("expected " + nodes + " guest RAM file(s) for VM " + spec.name() + " in " + dir + ", found " + files
                    + ": give each VM its own sharedMemoryDir or a unique name");
        }
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < nodes; i++) sizes.add((spec.memoryMb() / nodes + (i < spec.memoryMb() % nodes ? 1L : 0L)) << 20);
        String machine = spec.effectiveMachine() == MachineType.MICROVM ? "microvm" : "q35";
        long below = GuestRamLayout.belowFourG(machine, (long) spec.memoryMb() << 20);
        return new MonitorConfig(GuestRamLayout.regions(files, sizes, below), systemMap, btf, kernelConfig, spec.topology().totalCpus(),
                vm.pid(), vcpus, INTERVAL, START_DELAY, BOOT_WAIT, OptionalDouble.empty());
    }
}
