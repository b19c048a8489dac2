package dev.ktstr.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/**
 * How a VM ended, as data (the vmm's {@code VmExit} without its behaviour).
 *
 * @param kind                  which way it ended
 * @param description           one line for reports ("guest powered off (exit code 0)", "kernel crash: ...")
 * @param infrastructureFailure the platform's fault (early-boot oops, boot hang), not the scheduler's
 * @param consoleExitCode       the guest's exit code as /init printed it on the console ({@code KTSTR_EXIT=n}) before a
 *                              power-off; null when it printed none. An account independent of the data channel
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VmEnd(Kind kind, String description, boolean infrastructureFailure, Integer consoleExitCode) {
    public enum Kind {
        /** the guest powered off */
        GUEST_POWEROFF,
        /** the guest kernel panicked or oopsed */
        KERNEL_PANIC,
        /** the host deadline passed and the VM was stopped */
        TIMEOUT,
        /** QEMU failed by itself (bad arguments, KVM internal error, crash) */
        QEMU_ERROR,
        /** stopped from the host side before the guest powered off */
        STOPPED
    }

    public VmEnd {
        Objects.requireNonNull(kind, "kind");
        description = description == null ? "" : description;
    }

    public VmEnd(Kind kind, String description, boolean infrastructureFailure) {
        this(kind, description, infrastructureFailure, null);
    }
}
