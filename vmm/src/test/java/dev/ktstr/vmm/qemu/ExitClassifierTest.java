package dev.ktstr.vmm.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExitClassifierTest {
    private static final Duration T = Duration.ofSeconds(60);

    private static VmExit classify(int status, String console, String stderr, boolean timedOut) {
        return ExitClassifier.classify(status, console, stderr, timedOut, T, Optional.empty());
    }

    @Test
    void poweroffWithExitCode() {
        VmExit e = classify(0, "[ 0.8] foo\nKTSTR_INIT_STARTED\nKTSTR_EXIT=3\n[ 2.0] reboot: Power down\n", "", false);
        assertThat(e).isEqualTo(new VmExit.GuestPoweroff(java.util.OptionalInt.of(3)));
        assertThat(e.infrastructureFailure()).isFalse();
    }

    @Test
    void poweroffWithoutCode() {
        assertThat(classify(0, "KTSTR_INIT_STARTED\n[ 2.0] reboot: Power down\n", "", false))
                .isEqualTo(new VmExit.GuestPoweroff(java.util.OptionalInt.empty()));
    }

    @Test
    void lastExitMarkerWins() {
        assertThat(ExitClassifier.exitCode("KTSTR_EXIT=1\nx KTSTR_EXIT=7\n")).hasValue(7);
        assertThat(ExitClassifier.exitCode("KTSTR_EXIT=abc\n")).isEmpty();
    }

    @Test
    void earlyBootOopsIsInfrastructure() {
        String console = "[    0.41] smpboot: x86: Booting SMP configuration:\n[    0.52] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\n"
                + "[    0.52] RIP: 0010:sched_clock_tick+0x5/0x60\n[    0.53] Kernel panic - not syncing: Fatal exception\n";
        VmExit e = classify(0, console, "", false);
        assertThat(e).isInstanceOf(VmExit.KernelPanic.class);
        VmExit.KernelPanic p = (VmExit.KernelPanic) e;
        assertThat(p.summary()).startsWith("Oops: int3");
        assertThat(p.beforeInit()).isTrue();
        assertThat(p.infrastructureFailure()).isTrue();
        assertThat(p.excerpt()).contains("sched_clock_tick");
    }

    @Test
    void panicAfterInitIsATestFailureNotInfrastructure() {
        VmExit e = classify(0, "KTSTR_INIT_STARTED\n[ 5.1] sysrq: Trigger a crash\n[ 5.1] Kernel panic - not syncing: sysrq triggered crash\n", "", false);
        assertThat(e).isInstanceOf(VmExit.KernelPanic.class);
        assertThat(e.infrastructureFailure()).isFalse();
        assertThat(e.describe()).contains("sysrq triggered crash");
    }

    @Test
    void timeoutBeforeInitIsInfrastructureAfterInitIsNot() {
        VmExit hang = classify(137, "[ 0.1] tsc: Unable to calibrate against PIT\n", "", true);
        assertThat(hang).isEqualTo(new VmExit.Timeout(T, false));
        assertThat(hang.infrastructureFailure()).isTrue();
        VmExit slow = classify(0, "KTSTR_INIT_STARTED\n", "", true);
        assertThat(slow.infrastructureFailure()).isFalse();
        assertThat(slow.describe()).contains("60 s");
    }

    @Test
    void qemuErrorKeepsStatusAndStderr() {
        VmExit e = classify(1, "", "qemu-system-x86_64: -kernel /x: could not open\n", false);
        assertThat(e).isEqualTo(new VmExit.QemuError(1, "qemu-system-x86_64: -kernel /x: could not open\n"));
        assertThat(e.describe()).contains("could not open");
    }

    @Test
    void kvmInternalErrorOnStderrIsACrash() {
        assertThat(classify(1, "", "KVM internal error. Suberror: 1\n", false)).isInstanceOf(VmExit.KernelPanic.class);
    }

    @Test
    void stoppedByHostOrCtrlAX() {
        assertThat(ExitClassifier.classify(0, "KTSTR_INIT_STARTED\n", "", false, T, Optional.of("closed by owner")))
                .isEqualTo(new VmExit.Stopped("closed by owner"));
        assertThat(classify(0, "KTSTR_INIT_STARTED\nQEMU: Terminated\n", "", false)).isEqualTo(new VmExit.Stopped("Ctrl-A X"));
        assertThat(classify(137, "", "", false)).isEqualTo(new VmExit.Stopped("QEMU killed by signal 9"));
    }
}
