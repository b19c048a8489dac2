package dev.ktstr.vmm.perf;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.vmm.qemu.RamBacking;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a performance-mode VM runs on the host, computed purely from the host topology and the
 * VM topology: each virtual LLC gets a whole host LLC (lowest free ids first) and each vCPU one
 * host CPU in it; QEMU's other threads and the monitor share one service CPU outside the vCPU set.
 *
 * @param vm              the guest topology
 * @param llcs            virtual LLC to host LLC, with the vCPUs' host CPUs
 * @param vcpuHostCpu     host CPU of each vCPU (index = guest CPU)
 * @param serviceCpu      host CPU for QEMU's non-vCPU threads and the monitor
 * @param guestNodeHostNodes host NUMA nodes of each guest NUMA node's vCPUs: its RAM is bound there
 *                        ({@link dev.ktstr.vmm.qemu.VmSpec#ramHostNodes}, QEMU's mbind)
 * @param memoryMb        guest RAM to boot with: the requested size, rounded up to whole 2 MiB
 *                        pages per guest node when {@code hugepages} says {@link HugepageDecision.Use}
 * @param hugepages       whether guest RAM goes on 2 MiB hugepages, or why not
 * @param warnings        things that make results noisier but do not stop the run
 */
public record PerfPlan(Topology vm, List<LlcAssignment> llcs, List<Integer> vcpuHostCpu, int serviceCpu,
                       List<Set<Integer>> guestNodeHostNodes, int memoryMb, HugepageDecision hugepages, List<String> warnings) {
    public PerfPlan {
        java.util.Objects.requireNonNull(hugepages, "hugepages");
        llcs = List.copyOf(llcs);
        vcpuHostCpu = List.copyOf(vcpuHostCpu);
        guestNodeHostNodes = guestNodeHostNodes.stream().map(s -> (Set<Integer>) new TreeSet<>(s)).toList();
        warnings = List.copyOf(warnings);
    }

    /**
     * @param busyLlcs  host LLCs reserved by someone else (lock held)
     * @param busyCpus  host CPUs reserved by someone else
     * @throws ResourceContentionException the host cannot hold the VM now (the runner skips the test)
     */
    public static PerfPlan compute(HostTopology host, Topology vm, int memoryMb, HostMemory mem, Set<Integer> busyLlcs,
                                   Set<Integer> busyCpus) throws ResourceContentionException {
        int vcpus = vm.totalCpus();
        int usable = host.cpus().size();
        if (vcpus + 1 > usable) {
            throw new ResourceContentionException("performance mode needs " + (vcpus + 1) + " host CPUs (" + vcpus
                    + " vCPUs + 1 service CPU) but this process may use " + usable + ": use a smaller topology or --no-perf-mode");
        }
        Map<Integer, List<Integer>> groups = host.llcGroups();
        if (vm.llcs() > groups.size()) {
            throw new ResourceContentionException("performance mode maps each of the VM's " + vm.llcs() + " LLCs to its own host LLC, but the host has "
                    + groups.size() + ": use fewer LLCs or --no-perf-mode");
        }
        List<Integer> fit = new ArrayList<>();
        List<String> tooSmall = new ArrayList<>();
        for (var e : groups.entrySet()) {
            if (e.getValue().size() < vm.cpusPerLlc()) tooSmall.add("LLC " + e.getKey() + " has " + e.getValue().size() + " CPUs");
            else if (!busyLlcs.contains(e.getKey()) && e.getValue().stream().noneMatch(busyCpus::contains)) fit.add(e.getKey());
        }
        if (tooSmall.size() == groups.size()) {
            throw new ResourceContentionException("every host LLC is smaller than the VM's " + vm.cpusPerLlc() + " CPUs per LLC ("
                    + String.join(", ", tooSmall) + ")");
        }
        if (fit.size() < vm.llcs()) {
            throw new ResourceContentionException("performance mode needs " + vm.llcs() + " free host LLC(s) of >= " + vm.cpusPerLlc()
                    + " CPUs; " + fit.size() + " free now (reserved by other ktstr VMs: LLC " + busyLlcs + ", CPUs "
                    + HostTopology.renderList(busyCpus) + ")");
        }
        List<LlcAssignment> assign = new ArrayList<>();
        List<Integer> vcpuCpu = new ArrayList<>();
        Set<Integer> used = new TreeSet<>();
        for (int l = 0; l < vm.llcs(); l++) {
            int hostLlc = fit.get(l);
            List<Integer> cpus = groups.get(hostLlc).subList(0, vm.cpusPerLlc());
            assign.add(new LlcAssignment(l, hostLlc, cpus));
            vcpuCpu.addAll(cpus);
            used.addAll(cpus);
        }
        // Service CPU: prefer one outside the reserved LLCs (no cache sharing with vCPUs), then a
        // spare CPU inside them, never a CPU someone else holds.
        Set<Integer> reservedLlcs = new TreeSet<>(fit.subList(0, vm.llcs()));
        Optional<Integer> service = host.cpus().stream().filter(c -> !reservedLlcs.contains(c.llc()) && !busyLlcs.contains(c.llc()))
                .map(HostCpu::cpu).filter(c -> !busyCpus.contains(c) && !used.contains(c)).findFirst();
        if (service.isEmpty()) {
            service = host.cpus().stream().map(HostCpu::cpu).filter(c -> !busyCpus.contains(c) && !used.contains(c)).findFirst();
        }
        if (service.isEmpty()) throw new ResourceContentionException("no free host CPU left for the VM's service threads");
        List<Set<Integer>> nodes = new ArrayList<>();
        for (int n = 0; n < vm.numaNodes(); n++) {
            Set<Integer> s = new TreeSet<>();
            for (int l = n * vm.llcsPerNode(); l < (n + 1) * vm.llcsPerNode(); l++) {
                for (int c : assign.get(l).hostCpus()) s.add(host.nodeOf(c));
            }
            nodes.add(s);
        }
        List<String> warnings = new ArrayList<>();
        int hugeMb = RamBacking.Hugetlbfs.alignMb(memoryMb, vm.numaNodes());
        HugepageDecision huge = HugepageDecision.decide(hugeMb, nodes, mem);
        if (huge instanceof HugepageDecision.Fallback f) warnings.add("guest RAM on normal pages: " + f.reason());
        if (mem.procsRunning() > Math.max(1, vcpus / 2)) {
            warnings.add("host is busy: " + mem.procsRunning() + " runnable tasks for a " + vcpus + "-vCPU VM; timings will be noisy");
        }
        return new PerfPlan(vm, assign, vcpuCpu, service.get(), nodes, huge instanceof HugepageDecision.Use ? hugeMb : memoryMb, huge, warnings);
    }

    /** Host LLCs to lock exclusively. */
    public Set<Integer> hostLlcs() {
        Set<Integer> s = new TreeSet<>();
        for (LlcAssignment a : llcs) s.add(a.hostLlc());
        return s;
    }

    /** Host CPUs to lock exclusively: the vCPU CPUs and the service CPU. */
    public Set<Integer> hostCpus() {
        Set<Integer> s = new TreeSet<>(vcpuHostCpu);
        s.add(serviceCpu);
        return s;
    }

    /** True when guest RAM is planned on 2 MiB hugepages. */
    public boolean usesHugepages() {
        return hugepages instanceof HugepageDecision.Use;
    }
}
