package dev.ktstr.vmm.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.topology.Topology;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real QEMU boots of the test kernel (TCG here). Each test asserts no QEMU survives it. */
class QemuVmIT {
    private static final AccelDecision ACCEL = AcceleratorChooser.decide(AccelMode.AUTO, HostVirtFacts.probe());

    private static VmSpec.Builder spec(Path initrd, String topo) {
        return VmSpec.builder(TestGuest.kernel(), initrd).name("it-vm").topology(Topology.parse(topo)).memoryMb(256)
                .accel(ACCEL).timeout(Duration.ofSeconds(120));
    }

    @Test
    void dataPortCarriesGuestBytesAndExitCodeIsReported(@TempDir Path dir) throws Exception {
        Path initrd = TestGuest.initramfs(dir, "d=$(port_dev ktstr.data)\nhead -c 100000 /dev/zero | tr '\\0' x > $d\n"
                + "echo done > $d\nsleep 1\necho KTSTR_EXIT=5\npoweroff -f\n");
        VmSpec s = spec(initrd, "1,1,2,1").port("ktstr.data").build();
        // Two vCPUs under MTTCG: an early-boot "Oops: int3" is the platform's (VmExit.KernelPanic), and
        // the product boots once more for it; so does this test, through the same path.
        QemuVm.Outcome<DataRun> out = QemuVm.runRetryingOnce(s, vm -> {
            List<VcpuThread> vcpus = vm.vcpuThreads();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            PortChannel port = vm.port("ktstr.data");
            Thread reader = new Thread(() -> {
                try {
                    port.in().transferTo(got);
                } catch (IOException ignored) {
                    // closed at exit
                }
            });
            reader.start();
            vm.awaitExit();
            reader.join(5000);
            return new DataRun(vm.pid(), vcpus, got);
        });
        VmResult r = out.result();
        long pid = out.value().pid();
        ByteArrayOutputStream got = out.value().bytes();
        assertThat(out.value().vcpus()).hasSize(2);
        assertThat(out.value().vcpus()).allSatisfy(v -> assertThat(v.hostThreadId()).isPositive());
        r.retriedAfter().forEach(f -> System.err.println("QemuVmIT: booted again after " + f.exit().describe()));
        assertThat(r.exit()).isEqualTo(new VmExit.GuestPoweroff(OptionalInt.of(5)));
        assertThat(got.toString(StandardCharsets.US_ASCII)).hasSize(100005).endsWith("done\n");
        assertThat(r.timeToInit()).isPresent();
        assertThat(r.accel().accel()).isEqualTo(ACCEL.accel());
        assertThat(r.machine()).isEqualTo(MachineType.MICROVM);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    private record DataRun(long pid, List<VcpuThread> vcpus, ByteArrayOutputStream bytes) {}

    @Test
    void deadlineStopsAHungGuest(@TempDir Path dir) throws Exception {
        Path initrd = TestGuest.initramfs(dir, "while :; do sleep 1; done\n");
        VmSpec s = spec(initrd, "1,1,1,1").timeout(Duration.ofSeconds(15)).build();
        VmResult r;
        long pid;
        try (QemuVm vm = QemuVm.start(s)) {
            pid = vm.pid();
            r = vm.awaitExit();
        }
        assertThat(r.exit()).isEqualTo(new VmExit.Timeout(Duration.ofSeconds(15), true));
        assertThat(r.elapsed()).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(25));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void bootDeadlineCatchesAGuestThatNeverReachesInitAndIsRetriedOnce(@TempDir Path dir) throws Exception {
        // This /init never prints the start marker: indistinguishable, for the host, from a boot hang.
        Path silent = TestGuest.initramfsRaw(dir, "#!/bin/busybox sh\nwhile :; do /bin/busybox sleep 1; done\n");
        VmSpec s = spec(silent, "1,1,1,1").bootTimeout(Duration.ofSeconds(12)).build();
        QemuVm.Outcome<Long> out = QemuVm.runRetryingOnce(s, QemuVm::pid);
        assertThat(out.result().exit()).isEqualTo(new VmExit.Timeout(Duration.ofSeconds(12), false));
        assertThat(out.result().exit().infrastructureFailure()).isTrue();
        assertThat(out.result().retriedAfter()).hasSize(1);
        assertThat(out.result().elapsed()).isLessThan(Duration.ofSeconds(25));
        assertThat(ProcessHandle.of(out.value()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void kernelPanicIsClassified(@TempDir Path dir) throws Exception {
        Path initrd = TestGuest.initramfs(dir, "echo c > /proc/sysrq-trigger\nsleep 30\n");
        VmResult r;
        try (QemuVm vm = QemuVm.start(spec(initrd, "1,1,1,1").build())) {
            r = vm.awaitExit();
        }
        assertThat(r.exit()).isInstanceOf(VmExit.KernelPanic.class);
        VmExit.KernelPanic p = (VmExit.KernelPanic) r.exit();
        assertThat(p.beforeInit()).isFalse();
        assertThat(p.infrastructureFailure()).isFalse();
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void closeStopsARunningGuestAndRemovesTempFiles(@TempDir Path dir) throws Exception {
        Path initrd = TestGuest.initramfs(dir, "while :; do sleep 1; done\n");
        QemuVm vm = QemuVm.start(spec(initrd, "1,1,1,1").port("ktstr.data").build());
        Path runDir = vm.consoleLog().getParent();
        long pid = vm.pid();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (vm.timeToInit().isEmpty() && System.nanoTime() < deadline) Thread.sleep(100);
        vm.close();
        VmResult r = vm.awaitExit();
        assertThat(r.exit()).isInstanceOf(VmExit.Stopped.class);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Files.exists(runDir)).isFalse();
    }

    @Test
    void qemuErrorCarriesStderr(@TempDir Path dir) throws Exception {
        Path initrd = TestGuest.initramfs(dir, "poweroff -f\n");
        VmSpec s = spec(initrd, "1,1,1,1").build();
        // An unknown machine option makes QEMU itself fail before booting.
        VmSpec bad = s.toBuilder().kernelArg("x").qemuBinary("qemu-system-x86_64").build();
        VmResult r;
        try (QemuVm vm = QemuVm.start(new VmSpec(bad.name(), bad.kernel(), bad.initrd(), bad.topology(), bad.memoryMb(), bad.accel(),
                bad.machine(), bad.kernelArgs(), bad.ports(), bad.console(), bad.echoConsole(), bad.verboseKernel(), bad.timeout(),
                bad.bootTimeout(), new RamBacking.SharedFile(dir.resolve("no-such-dir")), List.of(), bad.consoleLog(), bad.tscKhz(), bad.qemuBinary()))) {
            r = vm.awaitExit();
        }
        assertThat(r.exit()).isInstanceOf(VmExit.QemuError.class);
        assertThat(((VmExit.QemuError) r.exit()).stderr()).contains("no-such-dir");
    }

    /** kill -9 of the owning JVM mid-boot: the watchdog must take QEMU down within a second or two. */
    @Test
    void noQemuSurvivesKillNineOfItsJvm(@TempDir Path dir) throws Exception {
        Path initrd = TestGuest.initramfs(dir, "while :; do sleep 1; done\n");
        Path tmp = Files.createDirectories(dir.resolve("jvmtmp"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                VmOwnerMain.class.getName(), TestGuest.kernel().toString(), initrd.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (TestGuest.qemuProcessesMentioning(tmp.toString()).isEmpty() && System.nanoTime() < deadline) {
            assertThat(child.isAlive()).as("owner JVM died early: " + Files.readString(dir.resolve("child.log"))).isTrue();
            Thread.sleep(100);
        }
        assertThat(TestGuest.qemuProcessesMentioning(tmp.toString())).as("QEMU started by the child").isNotEmpty();
        Thread.sleep(500); // mid-boot
        child.destroyForcibly(); // SIGKILL: no shutdown hook runs
        child.waitFor();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!TestGuest.qemuProcessesMentioning(tmp.toString()).isEmpty() && System.nanoTime() < deadline) Thread.sleep(100);
        List<ProcessHandle> left = TestGuest.qemuProcessesMentioning(tmp.toString());
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left).as("QEMU processes left after kill -9 of their JVM").isEmpty();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (hasRunDir(tmp) && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(hasRunDir(tmp)).as("the watchdog removes the orphaned VM's run dir").isFalse();
    }

    private static boolean hasRunDir(Path tmp) throws IOException {
        try (var s = Files.list(tmp)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("ktstr-vm-"));
        }
    }
}
