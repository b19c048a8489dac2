package dev.ktstr.coordinator;

/** The run stopped without a result for every job (journal failure, coordinator closed); the message says how to continue. */
public final class RunFailedException extends RuntimeException {
    public RunFailedException(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
