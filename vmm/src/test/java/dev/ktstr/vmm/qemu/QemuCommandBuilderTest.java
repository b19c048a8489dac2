package dev.ktstr.vmm.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.topology.Topology;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QemuCommandBuilderTest {
    private static final Path RUN = Path.of("/tmp/ktstr-vm-x");

    private static VmSpec.Builder spec(String topo) {
        return VmSpec.builder(Path.of("/k/vmlinux"), Path.of("/k/initrd.cpio")).topology(Topology.parse(topo)).memoryMb(512);
    }

    private static List<String> argv(VmSpec s) {
        return QemuCommandBuilder.build(s, VmPaths.in(RUN, s), 2596120);
    }

    private static String after(List<String> a, String flag) {
        return a.get(a.indexOf(flag) + 1);
    }

    /** Every value given to {@code flag}, in order. */
    private static List<String> values(List<String> a, String flag) {
        List<String> v = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < a.size(); i++) if (a.get(i).equals(flag)) v.add(a.get(i + 1));
        return v;
    }

    @Test
    void oneSocketPerLlcAndMicrovmForOneNode() {
        List<String> a = argv(spec("1,2,2,2").build());
        assertThat(after(a, "-smp")).isEqualTo("8,sockets=2,cores=2,threads=2");
        assertThat(after(a, "-machine")).startsWith("microvm,");
        assertThat(a).doesNotContain("-numa");
        assertThat(after(a, "-m")).isEqualTo("512M");
        assertThat(a).containsSequence("-accel", "tcg,thread=multi", "-cpu", "max");
        assertThat(after(a, "-append")).contains("tsc_early_khz=2596120").contains("console=ttyS0").contains("panic=-1")
                .contains("ktstr.topo=1n2l2c2t");
    }

    @Test
    void twoNodesUseQ35WithNodesOwningWholeLlcsAndEvenMemory() {
        List<String> a = argv(spec("2,4,1,1").memoryMb(513).build());
        assertThat(after(a, "-machine")).isEqualTo("q35");
        assertThat(after(a, "-smp")).isEqualTo("4,sockets=4,cores=1,threads=1");
        assertThat(a).containsSequence("-object", "memory-backend-ram,id=m0,size=257M")
                .containsSequence("-object", "memory-backend-ram,id=m1,size=256M")
                .containsSequence("-numa", "node,nodeid=0,cpus=0-1,memdev=m0")
                .containsSequence("-numa", "node,nodeid=1,cpus=2-3,memdev=m1")
                .containsSequence("-numa", "dist,src=0,dst=1,val=20")
                .containsSequence("-numa", "dist,src=1,dst=0,val=20");
        assertThat(after(a, "-append")).doesNotContain("pci=off");
    }

    @Test
    void memorySplitIsExactAndEven() {
        assertThat(QemuCommandBuilder.splitMemory(1024, 4)).containsExactly(256, 256, 256, 256);
        assertThat(QemuCommandBuilder.splitMemory(1027, 4)).containsExactly(257, 257, 257, 256);
    }

    @Test
    void virtioSerialDeviceMatchesMachine() {
        List<String> micro = argv(spec("1,1,2,1").port("ktstr.data").build());
        assertThat(micro).containsSequence("-device", "virtio-serial-device,id=vs0")
                .containsSequence("-chardev", "socket,id=port0,path=/tmp/ktstr-vm-x/p0.sock")
                .containsSequence("-device", "virtserialport,bus=vs0.0,chardev=port0,name=ktstr.data");
        assertThat(String.join(" ", micro)).doesNotContain("server=on,wait=on");
        List<String> q35 = argv(spec("2,2,1,1").port("ktstr.data").port("ktstr.stdout").build());
        assertThat(q35).containsSequence("-device", "virtio-serial-pci,id=vs0")
                .containsSequence("-device", "virtserialport,bus=vs0.0,chardev=port1,name=ktstr.stdout");
    }

    @Test
    void noPortsNoVirtioSerial() {
        assertThat(String.join(" ", argv(spec("1,1,1,1").build()))).doesNotContain("virtio-serial");
    }

    @Test
    void consoleGoesToFileOrTerminalWithLog() {
        assertThat(argv(spec("1,1,1,1").build())).containsSequence("-chardev", "file,id=con,path=/tmp/ktstr-vm-x/console.log");
        assertThat(argv(spec("1,1,1,1").console(ConsoleMode.TERMINAL).build()))
                .containsSequence("-chardev", "stdio,id=con,mux=on,signal=off,logfile=/tmp/ktstr-vm-x/console.log");
    }

    @Test
    void qmpSocketIsAServerThatDoesNotWait() {
        assertThat(argv(spec("1,1,1,1").build())).containsSequence("-qmp", "unix:/tmp/ktstr-vm-x/qmp.sock,server=on,wait=off");
    }

    @Test
    void kvmHasNoTscHintAndUsesHostCpu() {
        VmSpec s = spec("1,1,1,1").accel(new AccelDecision(Accel.KVM, "t", false)).build();
        List<String> a = argv(s);
        assertThat(a).containsSequence("-accel", "kvm", "-cpu", "host");
        assertThat(after(a, "-append")).doesNotContain("tsc_early_khz");
    }

    @Test
    void sharedMemoryFileBackend() {
        VmSpec one = spec("1,1,1,1").sharedMemoryDir(Path.of("/dev/shm")).build();
        List<String> a = argv(one);
        assertThat(after(a, "-machine")).endsWith(",memory-backend=m0");
        assertThat(after(a, "-object")).startsWith("memory-backend-file,id=m0,size=512M,mem-path=/dev/shm/").endsWith(",share=on");
        VmSpec two = spec("2,2,1,1").sharedMemoryDir(Path.of("/dev/shm")).build();
        assertThat(String.join(" ", argv(two))).contains(".ram.1,share=on").doesNotContain("memory-backend=m0");
    }

    @Test
    void hugetlbfsBackendIsASharedPreallocatedFileOnTheMount() {
        RamBacking huge = new RamBacking.Hugetlbfs(Path.of("/dev/hugepages/ktstr-ram-1-x"), new RamBacking.SharedFile(Path.of("/dev/shm")));
        VmSpec one = spec("1,1,1,1").ramBacking(huge).build();
        List<String> a = argv(one);
        assertThat(after(a, "-machine")).endsWith(",memory-backend=m0");
        assertThat(after(a, "-object")).matches(
                "memory-backend-file,id=m0,size=512M,mem-path=/dev/hugepages/ktstr-ram-1-x/ktstr-vm-ktstr-vm-x\\.ram,share=on,prealloc=on");
        assertThat(one.sharedMemoryDir()).contains(Path.of("/dev/hugepages/ktstr-ram-1-x")); // where the monitor finds the file
        // two guest nodes: one file each, both preallocated, each bound to its host node
        VmSpec two = spec("2,2,1,1").ramBacking(huge).ramHostNodes(List.of(Set.of(0), Set.of(1))).build();
        List<String> objects = values(argv(two), "-object");
        assertThat(objects).containsExactly(
                "memory-backend-file,id=m0,size=256M,mem-path=/dev/hugepages/ktstr-ram-1-x/ktstr-vm-ktstr-vm-x.ram.0,share=on,prealloc=on,host-nodes=0,policy=bind",
                "memory-backend-file,id=m1,size=256M,mem-path=/dev/hugepages/ktstr-ram-1-x/ktstr-vm-ktstr-vm-x.ram.1,share=on,prealloc=on,host-nodes=1,policy=bind");
        assertThat(values(argv(two), "-numa")).contains("node,nodeid=0,cpus=0-0,memdev=m0", "node,nodeid=1,cpus=1-1,memdev=m1");
    }

    @Test
    void hostNodeBindingOnAPlainFileAndOnAnonymousRam() {
        VmSpec file = spec("1,1,1,1").sharedMemoryDir(Path.of("/dev/shm")).ramHostNodes(List.of(Set.of(0, 1, 3))).build();
        assertThat(after(argv(file), "-object")).endsWith(",share=on,host-nodes=0-1,host-nodes=3,policy=bind").doesNotContain("prealloc");
        // anonymous RAM needs an explicit backend object to carry the binding
        VmSpec anon = spec("1,1,1,1").ramHostNodes(List.of(Set.of(2))).build();
        List<String> a = argv(anon);
        assertThat(after(a, "-object")).isEqualTo("memory-backend-ram,id=m0,size=512M,host-nodes=2,policy=bind");
        assertThat(after(a, "-machine")).endsWith(",memory-backend=m0");
        // unbound anonymous single-node RAM stays QEMU's default
        assertThat(argv(spec("1,1,1,1").build())).doesNotContain("-object");
    }

    @Test
    void memorySpecErrorsNameTheFix() {
        RamBacking huge = new RamBacking.Hugetlbfs(Path.of("/dev/hugepages/x"), new RamBacking.Anonymous());
        assertThatThrownBy(() -> spec("2,2,1,1").memoryMb(514).ramBacking(huge).build())
                .hasMessageContaining("whole 2 MiB pages").hasMessageContaining("use 516 MB");
        assertThat(RamBacking.Hugetlbfs.alignMb(514, 2)).isEqualTo(516);
        assertThat(RamBacking.Hugetlbfs.alignMb(512, 2)).isEqualTo(512);
        assertThatThrownBy(() -> new RamBacking.Hugetlbfs(Path.of("/a"), huge)).hasMessageContaining("cannot fall back to hugetlbfs");
        assertThatThrownBy(() -> spec("2,2,1,1").ramHostNodes(List.of(Set.of(0))).build()).hasMessageContaining("one host-node set per guest NUMA node");
        assertThatThrownBy(() -> spec("1,1,1,1").ramHostNodes(List.of(Set.of())).build()).hasMessageContaining("empty set");
    }

    @Test
    void extraKernelArgsComeLastAndCommasInPathsAreEscaped() {
        VmSpec s = spec("1,1,1,1").kernelArg("ktstr.mode=exec").consoleLog(Path.of("/tmp/a,b.log")).build();
        List<String> a = argv(s);
        assertThat(after(a, "-append")).endsWith("ktstr.mode=exec");
        assertThat(a).contains("file,id=con,path=/tmp/a,,b.log");
    }

    @Test
    void rejectsImpossibleSpecsWithTheFix() {
        assertThatThrownBy(() -> spec("4,4,1,1").memoryMb(200).build()).hasMessageContaining("leaves 50 MB per node").hasMessageContaining("at least 64 MB").hasMessageContaining("--memory-mb");
        assertThatThrownBy(() -> spec("1,1,1,1").memoryMb(64).build()).hasMessageContaining("at least 128 MB");
        assertThatThrownBy(() -> spec("2,2,1,1").machine(MachineType.MICROVM).build()).hasMessageContaining("use q35");
        assertThatThrownBy(() -> argv(spec("1,16,8,2").memoryMb(4096).build())).hasMessageContaining("at most 255");
        assertThatThrownBy(() -> spec("1,1,1,1").port("a b").build()).hasMessageContaining("port name");
        assertThatThrownBy(() -> spec("1,1,1,1").port("x").port("x").build()).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> spec("1,1,1,1").bootTimeout(java.time.Duration.ZERO).build()).hasMessageContaining("boot timeout");
        assertThat(VmSpec.suggestedBootTimeout(Topology.parse("1,2,2,2"))).isEqualTo(java.time.Duration.ofSeconds(76));
        assertThatThrownBy(() -> argv(spec("1,1,1,1").kernelArg("x".repeat(5000)).build())).hasMessageContaining("4095");
    }
}
