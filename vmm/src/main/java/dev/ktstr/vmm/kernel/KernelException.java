package dev.ktstr.vmm.kernel;

/** A kernel resolution, cache or build failure whose message names the problem and the fix. */
public class KernelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KernelException(String message) {
        super(message);
    }

    public KernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
