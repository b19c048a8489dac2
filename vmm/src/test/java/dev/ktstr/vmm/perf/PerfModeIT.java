package dev.ktstr.vmm.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.vmm.monitor.TestKernel;
import dev.ktstr.vmm.qemu.AccelMode;
import dev.ktstr.vmm.qemu.AcceleratorChooser;
import dev.ktstr.vmm.qemu.HostVirtFacts;
import dev.ktstr.vmm.qemu.QemuVm;
import dev.ktstr.vmm.qemu.VcpuThread;
import dev.ktstr.vmm.qemu.VmSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 1-vCPU performance-mode VM on the real host: pinning, RT priority, and exclusive reservation. */
class PerfModeIT {
    @Test
    void vcpuIsPinnedAndASecondVmCannotReserveTheSameCpus(@TempDir Path dir) throws Exception {
        Path locks = Files.createDirectories(dir.resolve("locks"));
        HostTopology host = HostTopology.read();
        Topology topo = Topology.parse("1,1,1,1");
        Path initrd = TestKernel.initramfs(dir, "sleep 6\necho KTSTR_EXIT=0\npoweroff -f\n");
        VmSpec spec = VmSpec.builder(TestKernel.vmlinux(), initrd).name("perf-it").topology(topo).memoryMb(256)
                .accel(AcceleratorChooser.decide(AccelMode.AUTO, HostVirtFacts.probe())).timeout(Duration.ofSeconds(60)).build();
        try (HostReservation r = HostReservation.acquire(host, topo, 256, HostMemory.read(), locks, Duration.ZERO);
             QemuVm vm = QemuVm.start(spec)) {
            PerfPlan plan = r.plan();
            int vcpuCpu = plan.vcpuHostCpu().get(0);
            assertThat(plan.serviceCpu()).isNotEqualTo(vcpuCpu);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (vm.timeToInit().isEmpty() && vm.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
            List<VcpuThread> vcpus = vm.vcpuThreads();
            AppliedPerf applied = PerfMode.apply(plan, vm, vcpus, true);
            long tid = vcpus.get(0).hostThreadId();
            assertThat(cpusAllowed(vm.pid(), tid)).isEqualTo(Integer.toString(vcpuCpu));
            assertThat(applied.pinnedService()).isNotEmpty();
            for (long t : applied.pinnedService()) {
                if (Files.exists(Path.of("/proc", Long.toString(vm.pid()), "task", Long.toString(t)))) {
                    assertThat(cpusAllowed(vm.pid(), t)).isEqualTo(Integer.toString(plan.serviceCpu()));
                }
            }
            if (applied.realtimeVcpus()) assertThat(Native.getScheduler(tid)).isEqualTo(Native.SCHED_FIFO);
            System.out.println("perf IT: vCPU tid " + tid + " pinned to CPU " + vcpuCpu + ", " + applied.pinnedService().size()
                    + " service threads on CPU " + plan.serviceCpu() + ", SCHED_FIFO=" + applied.realtimeVcpus() + ", warnings=" + applied.warnings());

            // a second performance-mode VM in this JVM: the only host LLC is taken
            assertThatThrownBy(() -> HostReservation.acquire(host, topo, 256, HostMemory.read(), locks, Duration.ofMillis(300)))
                    .isInstanceOf(ResourceContentionException.class);
            // and another process sees the lock too (POSIX lock probe from python)
            for (int llc : plan.hostLlcs()) assertThat(lockedByOthers(locks.resolve("ktstr-llc-" + llc + ".lock"))).isTrue();
            for (int cpu : plan.hostCpus()) assertThat(lockedByOthers(locks.resolve("ktstr-cpu-" + cpu + ".lock"))).isTrue();
            vm.awaitExit();
        }
        // released with the reservation
        for (int llc : host.llcGroups().keySet()) assertThat(lockedByOthers(locks.resolve("ktstr-llc-" + llc + ".lock"))).isFalse();
    }

    static String cpusAllowed(long pid, long tid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "status"))) {
            if (l.startsWith("Cpus_allowed_list:")) return l.substring(18).strip();
        }
        throw new AssertionError("no Cpus_allowed_list for " + tid);
    }

    static boolean lockedByOthers(Path lock) throws Exception {
        Process p = new ProcessBuilder("python3", "-c",
                "import fcntl,sys\nf=open(sys.argv[1],'a')\ntry:\n fcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB)\nexcept OSError:\n sys.exit(3)\n",
                lock.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0 && rc != 3) throw new AssertionError("lock probe failed: " + out);
        return rc == 3;
    }
}
