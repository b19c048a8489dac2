package dev.ktstr.vmm.perf;

import dev.ktstr.vmm.qemu.QemuVm;
import dev.ktstr.vmm.qemu.RamBacking;
import dev.ktstr.vmm.qemu.VcpuThread;
import dev.ktstr.vmm.qemu.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Applies a {@link PerfPlan} to a running QEMU, and decides whether performance mode is on at all. */
public final class PerfMode {
    public static final String NO_PERF_MODE_ENV = "KTSTR_NO_PERF_MODE";
    public static final int VCPU_FIFO_PRIORITY = 1;
    public static final int SERVICE_FIFO_PRIORITY = 2;

    private PerfMode() {}

    /** Whether a VM runs in performance mode, or must be skipped. */
    public sealed interface Decision {
        record On() implements Decision {}

        record Off() implements Decision {}

        /** The test demands performance mode but the user turned it off: skip (exit 0). */
        record Skip(String reason) implements Decision {}
    }

    /**
     * @param requested     the test's {@code performanceMode}
     * @param noPerfModeCli {@code --no-perf-mode} given
     * @param env           the environment ({@code KTSTR_NO_PERF_MODE} present ⇒ off)
     */
    public static Decision decide(boolean requested, boolean noPerfModeCli, Map<String, String> env) {
        boolean forcedOff = noPerfModeCli || env.containsKey(NO_PERF_MODE_ENV);
        if (!requested) return new Decision.Off();
        if (forcedOff) {
            return new Decision.Skip("test requires performance mode, which " + (noPerfModeCli ? "--no-perf-mode" : NO_PERF_MODE_ENV) + " turned off");
        }
        return new Decision.On();
    }

    /**
     * Pins each vCPU thread to its planned host CPU, every other QEMU thread to the service CPU,
     * and (when {@code realtime}) makes vCPU threads SCHED_FIFO 1. Under TCG pass
     * {@code realtime = false}: a TCG vCPU thread also runs the translator and never yields a
     * spinning guest's CPU, so FIFO would starve the host CPU (RT throttling leaves 5 %).
     * Guest memory placement was fixed when QEMU started ({@link HostReservation#ramBacking},
     * {@link PerfPlan#guestNodeHostNodes}); the result records what the VM got.
     */
    public static AppliedPerf apply(PerfPlan plan, QemuVm vm, List<VcpuThread> vcpus, boolean realtime) throws IOException {
        long qemuPid = vm.pid();
        if (vcpus.size() != plan.vcpuHostCpu().size()) {
            throw new IllegalArgumentException("plan is for " + plan.vcpuHostCpu().size() + " vCPUs but QEMU reports " + vcpus.size());
        }
        List<String> warnings = new ArrayList<>(plan.warnings());
        MemoryPlacement memory = memoryPlacement(plan, vm.spec(), vm.ramFallbackReason());
        if (plan.usesHugepages() && !memory.hugepages()) warnings.add("guest RAM on normal pages: " + memory.fallbackReason().orElse(""));
        List<Long> pinned = new ArrayList<>();
        Set<Long> vcpuTids = new HashSet<>();
        try {
            for (VcpuThread v : vcpus) {
                Native.setAffinity(v.hostThreadId(), Set.of(plan.vcpuHostCpu().get(v.cpuIndex())));
                pinned.add(v.hostThreadId());
                vcpuTids.add(v.hostThreadId());
            }
        } catch (Native.PermissionDenied e) {
            throw new IOException("cannot pin vCPU threads of QEMU " + qemuPid + ": " + e.getMessage());
        }
        List<Long> service = new ArrayList<>();
        for (long tid : threads(qemuPid)) {
            if (vcpuTids.contains(tid)) continue;
            try {
                Native.setAffinity(tid, Set.of(plan.serviceCpu()));
                service.add(tid);
            } catch (Native.PermissionDenied | IllegalStateException e) {
                // a thread that exited between listing and pinning
            }
        }
        boolean rt = false;
        if (realtime) {
            try {
                for (VcpuThread v : vcpus) Native.setScheduler(v.hostThreadId(), Native.SCHED_FIFO, VCPU_FIFO_PRIORITY);
                rt = true;
            } catch (Native.PermissionDenied e) {
                warnings.add("vCPU threads keep normal priority: " + e.getMessage());
            }
        }
        return new AppliedPerf(pinned, service, rt, memory, warnings);
    }

    /** The RAM backing a VM got, and why it is not hugetlbfs when it is not. */
    static MemoryPlacement memoryPlacement(PerfPlan plan, VmSpec spec, Optional<String> startFallback) {
        RamBacking b = spec.ramBacking();
        Optional<String> reason;
        if (b instanceof RamBacking.Hugetlbfs) {
            reason = Optional.empty();
        } else if (startFallback.isPresent()) {
            reason = startFallback;
        } else if (plan.hugepages() instanceof HugepageDecision.Fallback f) {
            reason = Optional.of(f.reason());
        } else {
            reason = Optional.of("the VM was started without the planned hugetlbfs backing (use HostReservation.ramBacking)");
        }
        return new MemoryPlacement(b.kind(), reason, spec.ramHostNodes(), spec.memoryMb());
    }

    /**
     * For the monitor thread: pins the calling thread to the service CPU and, when permitted and
     * asked, makes it SCHED_FIFO 2. Returns a warning, or empty.
     */
    public static java.util.Optional<String> pinCurrentThread(PerfPlan plan, boolean realtime) {
        long tid = Native.currentTid();
        try {
            Native.setAffinity(tid, Set.of(plan.serviceCpu()));
            if (realtime) Native.setScheduler(tid, Native.SCHED_FIFO, SERVICE_FIFO_PRIORITY);
            return java.util.Optional.empty();
        } catch (Native.PermissionDenied e) {
            return java.util.Optional.of("monitor thread not pinned/RT: " + e.getMessage());
        }
    }

    static List<Long> threads(long pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return s.map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
        }
    }
}
