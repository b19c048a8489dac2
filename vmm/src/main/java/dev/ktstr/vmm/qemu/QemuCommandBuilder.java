package dev.ktstr.vmm.qemu;

import dev.ktstr.protocol.topology.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the QEMU argument vector and the guest kernel command line for a {@link VmSpec}. Pure:
 * no file system or process access, so every choice here is unit tested.
 */
public final class QemuCommandBuilder {
    /** QEMU 7.2 without an IOMMU (interrupt remapping) cannot start more vCPUs than this. */
    public static final int MAX_VCPUS = 255;
    public static final int LOCAL_DISTANCE = 10;
    public static final int REMOTE_DISTANCE = 20;
    /** Printed by the guest /init on ttyS0 once user space runs; crashes before it are infrastructure. */
    public static final String INIT_MARKER = "KTSTR_INIT_STARTED";
    /** Printed by the guest /init right before power-off: {@code KTSTR_EXIT=<code>}. */
    public static final String EXIT_MARKER = "KTSTR_EXIT=";

    private QemuCommandBuilder() {}

    /** The full argv, starting with the QEMU binary. */
    public static List<String> build(VmSpec spec, VmPaths paths, long tscKhz) {
        Topology t = spec.topology();
        if (t.totalCpus() > MAX_VCPUS) {
            throw new IllegalArgumentException("topology " + t + " has " + t.totalCpus() + " vCPUs; QEMU without an IOMMU supports at most "
                    + MAX_VCPUS + ": use fewer LLCs, cores or threads");
        }
        MachineType machine = spec.effectiveMachine();
        List<String> a = new ArrayList<>();
        a.add(spec.qemuBinary());
        a.addAll(List.of("-name", spec.name() + ",debug-threads=on"));
        String machineArg = machine.machineArg();
        if (t.numaNodes() == 1 && needsBackendObjects(spec, paths)) {
            machineArg += ",memory-backend=m0";
        }
        a.addAll(List.of("-machine", machineArg));
        a.addAll(spec.accel().accel().qemuArgs());
        a.addAll(List.of("-m", spec.memoryMb() + "M"));
        // One socket per LLC: QEMU's legacy cache CPUID leaves then give each LLC its own L3.
        a.addAll(List.of("-smp", t.totalCpus() + ",sockets=" + t.llcs() + ",cores=" + t.coresPerLlc() + ",threads=" + t.threadsPerCore()));
        a.addAll(memoryAndNuma(spec, paths));
        a.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"));
        if (spec.console() == ConsoleMode.TERMINAL) {
            // mux=on gives Ctrl-A X; signal=off passes Ctrl-C to the guest shell instead of killing QEMU.
            a.addAll(List.of("-chardev", "stdio,id=con,mux=on,signal=off,logfile=" + opt(paths.consoleLog().toString())));
        } else {
            a.addAll(List.of("-chardev", "file,id=con,path=" + opt(paths.consoleLog().toString())));
        }
        a.addAll(List.of("-serial", "chardev:con"));
        if (!spec.ports().isEmpty()) {
            a.addAll(List.of("-device", machine.virtioSerialDevice() + ",id=vs0"));
            int i = 0;
            for (String port : spec.ports()) {
                // No server=on: QEMU connects to the socket the host already listens on, so the guest
                // can never write before the host reads.
                a.addAll(List.of("-chardev", "socket,id=port" + i + ",path=" + opt(paths.portSockets().get(port).toString())));
                a.addAll(List.of("-device", "virtserialport,bus=vs0.0,chardev=port" + i + ",name=" + port));
                i++;
            }
        }
        a.addAll(List.of("-qmp", "unix:" + opt(paths.qmpSocket().toString()) + ",server=on,wait=off"));
        a.addAll(List.of("-kernel", spec.kernel().toString(), "-initrd", spec.initrd().toString()));
        a.addAll(List.of("-append", kernelCmdline(spec, tscKhz)));
        return a;
    }

    /**
     * One memory backend per guest NUMA node when RAM is file-backed, bound to host nodes, or split
     * over several guest nodes; nothing (QEMU's default anonymous RAM) otherwise.
     */
    static List<String> memoryAndNuma(VmSpec spec, VmPaths paths) {
        Topology t = spec.topology();
        List<String> a = new ArrayList<>();
        int nodes = t.numaNodes();
        if (!needsBackendObjects(spec, paths)) return a;
        int[] sizes = splitMemory(spec.memoryMb(), nodes);
        for (int i = 0; i < nodes; i++) a.addAll(List.of("-object", memoryBackend(spec, paths, i, sizes[i])));
        if (nodes == 1) return a; // a single backend is bound via -machine memory-backend=m0
        for (int i = 0; i < nodes; i++) {
            int[] cpus = t.nodeCpuRange(i);
            a.addAll(List.of("-numa", "node,nodeid=" + i + ",cpus=" + cpus[0] + "-" + cpus[1] + ",memdev=m" + i));
        }
        for (int i = 0; i < nodes; i++) {
            for (int j = 0; j < nodes; j++) {
                if (i != j) a.addAll(List.of("-numa", "dist,src=" + i + ",dst=" + j + ",val=" + REMOTE_DISTANCE));
            }
        }
        return a;
    }

    private static boolean needsBackendObjects(VmSpec spec, VmPaths paths) {
        return spec.topology().numaNodes() > 1 || paths.memoryFile() != null || !spec.ramHostNodes().isEmpty();
    }

    /** The {@code -object} value of guest node {@code node}'s RAM. */
    static String memoryBackend(VmSpec spec, VmPaths paths, int node, int sizeMb) {
        StringBuilder b = new StringBuilder();
        if (paths.memoryFile() == null) {
            b.append("memory-backend-ram,id=m").append(node).append(",size=").append(sizeMb).append('M');
        } else {
            String file = paths.memoryFile() + (spec.topology().numaNodes() > 1 ? "." + node : "");
            b.append("memory-backend-file,id=m").append(node).append(",size=").append(sizeMb).append("M,mem-path=").append(opt(file))
                    .append(",share=on");
            // QEMU sees the hugetlbfs page size itself (statfs). prealloc faults every page at start,
            // after the binding below, so a node without pages fails QEMU's start instead of
            // SIGBUS-ing the guest mid-test.
            if (spec.ramBacking() instanceof RamBacking.Hugetlbfs) b.append(",prealloc=on");
        }
        if (!spec.ramHostNodes().isEmpty()) {
            // QEMU calls mbind(MPOL_BIND) on the mapping: our "mbind to the pinned nodes". It wants
            // one host-nodes= per range (a bare "0,2" would end the option).
            for (String range : renderNodes(spec.ramHostNodes().get(node)).split(",")) b.append(",host-nodes=").append(range);
            b.append(",policy=bind");
        }
        return b.toString();
    }

    /** A node set as a kernel list ({@code 0-1,3}). */
    static String renderNodes(java.util.Set<Integer> nodes) {
        return dev.ktstr.protocol.topology.CpuLists.format(nodes);
    }

    /** Even split; the first {@code total % nodes} nodes get one MB more so the sum is exact. */
    static int[] splitMemory(int totalMb, int nodes) {
        int[] s = new int[nodes];
        for (int i = 0; i < nodes; i++) s[i] = totalMb / nodes + (i < totalMb % nodes ? 1 : 0);
        return s;
    }

    /** The guest kernel command line: our fixed words, then {@link VmSpec#kernelArgs()}. */
    public static String kernelCmdline(VmSpec spec, long tscKhz) {
        List<String> w = new ArrayList<>(List.of("console=ttyS0", "panic=-1", "oops=panic", "reboot=t",
                "nokaslr", "mitigations=off", "random.trust_cpu=on", "rdinit=/init",
                "sysctl.kernel.sched_schedstats=1"));
        w.add(spec.verboseKernel() ? "loglevel=7" : "quiet");
        if (spec.accel().accel() == Accel.TCG && tscKhz > 0) {
            // microvm has no HPET/PM timer; PIT calibration under TCG races and ~1 boot in 8 hangs.
            w.add("tsc_early_khz=" + tscKhz);
        }
        if (spec.effectiveMachine() == MachineType.MICROVM) {
            w.add("pci=off");
        }
        w.add("ktstr.topo=" + spec.topology().render());
        w.addAll(spec.kernelArgs());
        String s = String.join(" ", w);
        if (s.length() > 4095) {
            throw new IllegalArgumentException("kernel command line is " + s.length() + " bytes; x86 allows 4095: shorten the extra kernel arguments");
        }
        return s;
    }

    /** QEMU option values escape ',' by doubling it. */
    static String opt(String v) {
        return v.replace(",", ",,");
    }
}
