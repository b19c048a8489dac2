package dev.ktstr.vmm.qemu;

import java.time.Duration;
import java.util.OptionalInt;

/** How a VM ended. */
public sealed interface VmExit {

    /** One line for logs and reports. */
    String describe();

    /** True when the failure is the platform's (e.g. an early-boot TCG oops), eligible for one retry. */
    default boolean infrastructureFailure() {
        return false;
    }

    /** The guest powered off. {@code exitCode} is what /init reported with {@code KTSTR_EXIT=}, if it did. */
    record GuestPoweroff(OptionalInt exitCode) implements VmExit {
        public String describe() {
            return exitCode.isPresent() ? "guest powered off (exit code " + exitCode.getAsInt() + ")" : "guest powered off (no exit code reported)";
        }
    }

    /**
     * The kernel panicked or oopsed (with panic=-1 oops=panic QEMU then exits). {@code beforeInit}:
     * it happened before /init printed its start marker, i.e. during boot, not in the test.
     */
    record KernelPanic(String summary, String excerpt, boolean beforeInit) implements VmExit {
        public String describe() {
            return "kernel crash" + (beforeInit ? " during boot" : "") + ": " + summary;
        }

        /**
         * Early-boot crashes are the platform's. So is {@code Oops: int3} at any time: under MTTCG
         * the kernel's text_poke_bp (static keys flipped at boot and again when a sched_ext
         * scheduler attaches) races with the emulator's cross-modifying-code handling; seen both
         * during boot and right after scx attach. Retried once and recorded, never a verdict.
         */
        @Override
        public boolean infrastructureFailure() {
            return beforeInit || (summary != null && summary.contains("Oops: int3"));
        }
    }

    /** The host deadline passed; the VM was stopped. */
    record Timeout(Duration limit, boolean reachedInit) implements VmExit {
        public String describe() {
            return "timed out after " + limit.toSeconds() + " s" + (reachedInit ? "" : " (guest never reached /init)");
        }

        @Override
        public boolean infrastructureFailure() {
            return !reachedInit; // a boot that hangs before /init is the TCG calibration/oops class of flake
        }
    }

    /** QEMU failed by itself: bad arguments, missing file, KVM internal error, crash. */
    record QemuError(int status, String stderr) implements VmExit {
        public String describe() {
            String s = stderr.strip();
            return "QEMU failed (exit status " + status + ")" + (s.isEmpty() ? "" : ": " + s);
        }
    }

    /** QEMU was stopped from the host side (owner's stop request, Ctrl-A X, a signal) before the guest powered off. */
    record Stopped(String how) implements VmExit {
        public String describe() {
            return "stopped by host: " + how;
        }
    }
}
