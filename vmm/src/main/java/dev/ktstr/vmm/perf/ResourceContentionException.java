package dev.ktstr.vmm.perf;

/**
 * The host cannot hold this VM in performance mode right now (too few CPUs or LLCs, or they are
 * reserved by other VMs). The runner reports the test as SKIPPED with this message, like ktstr's
 * {@code ResourceContention}.
 */
public class ResourceContentionException extends Exception {
    public ResourceContentionException(String message) {
        super(message);
    }
}
