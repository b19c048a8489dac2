package dev.ktstr.vmm.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceleratorChooserTest {
    private static final HostVirtFacts PVM = new HostVirtFacts(false, List.of("kvm_pvm"), true, "6.18.44-fc", "AMD EPYC");
    private static final HostVirtFacts REAL = new HostVirtFacts(true, List.of("kvm_amd"), true, "6.1.0", "AMD EPYC");

    @Test
    void autoPicksTcgOnASoftwareHypervisorAndSaysWhy() {
        AccelDecision d = AcceleratorChooser.decide(AccelMode.AUTO, PVM);
        assertThat(d.accel()).isEqualTo(Accel.TCG);
        assertThat(d.reason()).contains("no vmx/svm").contains("kvm_pvm");
    }

    @Test
    void autoPicksKvmOnlyWithFlagModuleAndDevice() {
        assertThat(AcceleratorChooser.decide(AccelMode.AUTO, REAL).accel()).isEqualTo(Accel.KVM);
        assertThat(AcceleratorChooser.decide(AccelMode.AUTO, new HostVirtFacts(true, List.of(), true, "r", "m")).reason())
                .contains("kvm_intel nor kvm_amd");
        assertThat(AcceleratorChooser.decide(AccelMode.AUTO, new HostVirtFacts(true, List.of("kvm_intel"), false, "r", "m")).reason())
                .contains("/dev/kvm");
    }

    @Test
    void explicitKvmOnUnfitHostIsAnErrorNotAFallback() {
        assertThatThrownBy(() -> AcceleratorChooser.decide(AccelMode.KVM, PVM)).hasMessageContaining("--accel tcg");
        assertThat(AcceleratorChooser.decide(AccelMode.TCG, REAL).accel()).isEqualTo(Accel.TCG);
    }

    @Test
    void autoIsCachedPerHost(@TempDir Path cache) throws Exception {
        AcceleratorChooser c = new AcceleratorChooser(cache);
        AccelDecision first = c.choose(AccelMode.AUTO, PVM);
        assertThat(first.fromCache()).isFalse();
        AccelDecision second = c.choose(AccelMode.AUTO, PVM);
        assertThat(second.fromCache()).isTrue();
        assertThat(second.accel()).isEqualTo(Accel.TCG);
        assertThat(c.choose(AccelMode.AUTO, REAL).fromCache()).isFalse(); // different host key
        try (var s = Files.list(cache.resolve("accel"))) {
            assertThat(s.count()).isEqualTo(2);
        }
    }

    @Test
    void corruptCacheIsRecomputed(@TempDir Path cache) throws Exception {
        Path f = cache.resolve("accel").resolve(AcceleratorChooser.hostKey(PVM) + ".json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{not json");
        AccelDecision d = new AcceleratorChooser(cache).choose(AccelMode.AUTO, PVM);
        assertThat(d.fromCache()).isFalse();
        assertThat(d.accel()).isEqualTo(Accel.TCG);
    }

    @Test
    void probesAFakeHostTree(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(root.resolve("proc/cpuinfo"), "processor\t: 0\nmodel name\t: Intel Xeon\nflags\t\t: fpu vmx sse\n\n");
        Files.writeString(root.resolve("proc/sys/kernel/osrelease"), "6.1.0-test\n");
        Files.createDirectories(root.resolve("sys/module/kvm_intel"));
        HostVirtFacts f = HostVirtFacts.probe(root);
        assertThat(f.cpuFlag()).isTrue();
        assertThat(f.kvmModules()).containsExactly("kvm_intel");
        assertThat(f.devKvmUsable()).isFalse();
        assertThat(f.cpuModel()).isEqualTo("Intel Xeon");
        assertThat(f.kernelRelease()).isEqualTo("6.1.0-test");
        assertThat(AcceleratorChooser.decide(AccelMode.AUTO, f).accel()).isEqualTo(Accel.TCG);
    }

    @Test
    void tscFromCpuinfoNeedsConstantTsc() {
        assertThat(TscFrequency.fromCpuinfo("cpu MHz\t\t: 2596.120\nflags\t: fpu constant_tsc nonstop_tsc\n\n")).isEqualTo(2596120);
        assertThat(TscFrequency.fromCpuinfo("cpu MHz\t\t: 2596.120\nflags\t: fpu\n\n")).isZero();
        assertThat(TscFrequency.fromCpuinfo("")).isZero();
    }
}
