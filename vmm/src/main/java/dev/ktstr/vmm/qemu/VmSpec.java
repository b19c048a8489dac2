package dev.ktstr.vmm.qemu;

import dev.ktstr.protocol.topology.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Everything needed to boot one VM.
 *
 * @param name           VM name (QEMU {@code -name}, log prefixes); letters, digits, '-', '_', '.'
 * @param kernel         kernel image: PVH-bootable vmlinux (fastest) or bzImage
 * @param initrd         uncompressed (fastest under TCG) or compressed cpio
 * @param topology       guest CPU topology; one QEMU socket per LLC
 * @param memoryMb       guest RAM, split evenly over NUMA nodes
 * @param accel          accelerator chosen by {@link AcceleratorChooser}
 * @param machine        machine model; empty = {@link MachineType#forTopology}
 * @param kernelArgs     extra kernel command-line words, appended after ours
 * @param ports          virtio-serial port names; each is wired to a unix socket the host listens
 *                       on before QEMU starts, so no guest byte is lost. In the guest the port is
 *                       /dev/vportNpM with its name in /sys/class/virtio-ports/vportNpM/name.
 * @param console        where ttyS0 goes
 * @param echoConsole    copy console lines live to stderr ({@code --dmesg}); LOG_FILE mode only
 * @param verboseKernel  loglevel=7 instead of quiet
 * @param timeout        host deadline from start; {@link Duration#ZERO} = none
 * @param bootTimeout    deadline for the guest /init to print {@code KTSTR_INIT_STARTED} on ttyS0;
 *                       missing it is a boot hang (infrastructure failure, retried once by
 *                       {@link QemuVm#runRetryingOnce}). Empty = no boot deadline (for inits that
 *                       do not print the marker).
 * @param ramBacking     where guest RAM lives: anonymous, a shared file (the host monitor reads it),
 *                       or a shared file on hugetlbfs (performance mode)
 * @param ramHostNodes   host NUMA nodes for each guest NUMA node's RAM (index = guest node), or empty
 *                       for no binding. Rendered as QEMU's {@code host-nodes=...,policy=bind}: QEMU
 *                       itself calls mbind(2) with MPOL_BIND on the backend's mapping before it
 *                       preallocates or the guest faults a page, so ktstr needs no mbind of its own
 * @param consoleLog     where to keep the console log; empty = in the VM's temp dir, deleted on close
 * @param tscKhz         host TSC frequency for {@code tsc_early_khz}; empty = detect
 * @param qemuBinary     QEMU executable (PATH lookup when not absolute)
 */
public record VmSpec(String name, Path kernel, Path initrd, Topology topology, int memoryMb,
                     AccelDecision accel, Optional<MachineType> machine, List<String> kernelArgs,
                     List<String> ports, ConsoleMode console, boolean echoConsole, boolean verboseKernel,
                     Duration timeout, Optional<Duration> bootTimeout, RamBacking ramBacking, List<Set<Integer>> ramHostNodes,
                     Optional<Path> consoleLog,
                     OptionalLong tscKhz, String qemuBinary) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern PORT = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Below this per NUMA node the kernel cannot unpack an initramfs and start userspace. */
    public static final int MIN_MB_PER_NODE = 64;
    public static final int MIN_MB = 128;

    public VmSpec {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(accel, "accel");
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(ramBacking, "ramBacking");
        kernelArgs = List.copyOf(kernelArgs);
        ports = List.copyOf(ports);
        ramHostNodes = ramHostNodes.stream().map(n -> (Set<Integer>) java.util.Collections.unmodifiableSet(new TreeSet<>(n))).toList();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("VM name '" + name + "' may only contain letters, digits, '.', '_' and '-' (1-64 chars)");
        }
        for (String p : ports) {
            if (!PORT.matcher(p).matches()) {
                throw new IllegalArgumentException("virtio-serial port name '" + p + "' may only contain letters, digits, '.', '_' and '-'");
            }
        }
        if (ports.stream().distinct().count() != ports.size()) {
            throw new IllegalArgumentException("duplicate virtio-serial port names in " + ports);
        }
        if (memoryMb < MIN_MB) {
            throw new IllegalArgumentException("guest memory " + memoryMb + " MB is too small: at least " + MIN_MB + " MB is needed");
        }
        if (memoryMb / topology.numaNodes() < MIN_MB_PER_NODE) {
            throw new IllegalArgumentException("guest memory " + memoryMb + " MB split over " + topology.numaNodes()
                    + " NUMA nodes leaves " + memoryMb / topology.numaNodes() + " MB per node; each node needs at least "
                    + MIN_MB_PER_NODE + " MB: raise --memory-mb to " + MIN_MB_PER_NODE * topology.numaNodes() + " or more");
        }
        if (machine.isPresent() && machine.get() == MachineType.MICROVM && topology.numaNodes() > 1) {
            throw new IllegalArgumentException("topology " + topology + " has " + topology.numaNodes()
                    + " NUMA nodes but microvm cannot describe NUMA to the guest: use q35 (the default for multi-node topologies)");
        }
        if (!ramHostNodes.isEmpty()) {
            if (ramHostNodes.size() != topology.numaNodes()) {
                throw new IllegalArgumentException("RAM host-node binding names " + ramHostNodes.size() + " guest node(s) but topology "
                        + topology + " has " + topology.numaNodes() + ": give one host-node set per guest NUMA node");
            }
            for (Set<Integer> n : ramHostNodes) {
                if (n.isEmpty() || n.stream().anyMatch(x -> x < 0)) {
                    throw new IllegalArgumentException("RAM host-node binding " + ramHostNodes + " has an empty set or a negative node");
                }
            }
        }
        if (ramBacking instanceof RamBacking.Hugetlbfs && memoryMb % (2 * topology.numaNodes()) != 0) {
            throw new IllegalArgumentException("hugetlbfs-backed guest RAM needs whole 2 MiB pages on each of the " + topology.numaNodes()
                    + " NUMA node(s), but " + memoryMb + " MB does not split so: use "
                    + RamBacking.Hugetlbfs.alignMb(memoryMb, topology.numaNodes()) + " MB (RamBacking.Hugetlbfs.alignMb)");
        }
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative");
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        if (bootTimeout.isPresent() && (bootTimeout.get().isNegative() || bootTimeout.get().isZero())) {
            throw new IllegalArgumentException("boot timeout must be positive");
        }
        if (echoConsole && console == ConsoleMode.TERMINAL) {
            throw new IllegalArgumentException("echoConsole is meaningless when the console is the terminal");
        }
    }

    /** A boot deadline that grows with the vCPU count: TCG brings up each vCPU serially. */
    public static Duration suggestedBootTimeout(Topology t) {
        return Duration.ofSeconds(60 + 2L * t.totalCpus());
    }

    /** Directory of the shared RAM file (plain or hugetlbfs), empty for anonymous RAM. */
    public Optional<Path> sharedMemoryDir() {
        return ramBacking.fileDir();
    }

    public MachineType effectiveMachine() {
        return machine.orElse(MachineType.forTopology(topology));
    }

    public static Builder builder(Path kernel, Path initrd) {
        return new Builder(kernel, initrd);
    }

    public Builder toBuilder() {
        Builder b = new Builder(kernel, initrd);
        b.name = name; b.topology = topology; b.memoryMb = memoryMb; b.accel = accel; b.machine = machine;
        b.kernelArgs = new ArrayList<>(kernelArgs); b.ports = new ArrayList<>(ports); b.console = console;
        b.echoConsole = echoConsole; b.verboseKernel = verboseKernel; b.timeout = timeout; b.bootTimeout = bootTimeout;
        b.ramBacking = ramBacking; b.ramHostNodes = new ArrayList<>(ramHostNodes); b.consoleLog = consoleLog; b.tscKhz = tscKhz; b.qemuBinary = qemuBinary;
        return b;
    }

    /** Defaults: topology 1,1,2,1; 256 MB; TCG; no ports; console to a log file; no timeout. */
    public static final class Builder {
        private Path kernel;
        private Path initrd;
        private String name = "ktstr-vm";
        private Topology topology = Topology.DEFAULT;
        private int memoryMb = 256;
        private AccelDecision accel = new AccelDecision(Accel.TCG, "default", false);
        private Optional<MachineType> machine = Optional.empty();
        private List<String> kernelArgs = new ArrayList<>();
        private List<String> ports = new ArrayList<>();
        private ConsoleMode console = ConsoleMode.LOG_FILE;
        private boolean echoConsole;
        private boolean verboseKernel;
        private Duration timeout = Duration.ZERO;
        private Optional<Duration> bootTimeout = Optional.empty();
        private RamBacking ramBacking = new RamBacking.Anonymous();
        private List<Set<Integer>> ramHostNodes = new ArrayList<>();
        private Optional<Path> consoleLog = Optional.empty();
        private OptionalLong tscKhz = OptionalLong.empty();
        private String qemuBinary = "qemu-system-x86_64";

        private Builder(Path kernel, Path initrd) {
            this.kernel = kernel;
            this.initrd = initrd;
        }

        public Builder kernel(Path v) { kernel = v; return this; }
        public Builder initrd(Path v) { initrd = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder topology(Topology v) { topology = v; return this; }
        public Builder memoryMb(int v) { memoryMb = v; return this; }
        public Builder accel(AccelDecision v) { accel = v; return this; }
        public Builder machine(MachineType v) { machine = Optional.ofNullable(v); return this; }
        public Builder kernelArg(String v) { kernelArgs.add(v); return this; }
        public Builder kernelArgs(List<String> v) { kernelArgs = new ArrayList<>(v); return this; }
        public Builder port(String v) { ports.add(v); return this; }
        public Builder console(ConsoleMode v) { console = v; return this; }
        public Builder echoConsole(boolean v) { echoConsole = v; return this; }
        public Builder verboseKernel(boolean v) { verboseKernel = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder bootTimeout(Duration v) { bootTimeout = Optional.ofNullable(v); return this; }
        /** Guest RAM as a shared file in {@code v} (null: anonymous RAM). */
        public Builder sharedMemoryDir(Path v) { ramBacking = v == null ? new RamBacking.Anonymous() : new RamBacking.SharedFile(v); return this; }
        public Builder ramBacking(RamBacking v) { ramBacking = Objects.requireNonNull(v, "ramBacking"); return this; }
        public Builder ramHostNodes(List<Set<Integer>> v) { ramHostNodes = new ArrayList<>(v); return this; }
        public Builder consoleLog(Path v) { consoleLog = Optional.ofNullable(v); return this; }
        public Builder tscKhz(long v) { tscKhz = OptionalLong.of(v); return this; }
        public Builder qemuBinary(String v) { qemuBinary = v; return this; }

        public VmSpec build() {
            return new VmSpec(name, kernel, initrd, topology, memoryMb, accel, machine, kernelArgs, ports, console,
                    echoConsole, verboseKernel, timeout, bootTimeout, ramBacking, ramHostNodes, consoleLog, tscKhz, qemuBinary);
        }
    }
}
