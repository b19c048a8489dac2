package dev.ktstr.vmm.qemu;

import java.util.Objects;

/**
 * The accelerator chosen for a host and why. {@code fromCache} says the answer came from the
 * per-host cache file instead of a fresh check.
 */
public record AccelDecision(Accel accel, String reason, boolean fromCache) {
    public AccelDecision {
        Objects.requireNonNull(accel, "accel");
        Objects.requireNonNull(reason, "reason");
    }
}
