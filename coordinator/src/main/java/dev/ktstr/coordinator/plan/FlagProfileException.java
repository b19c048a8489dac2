package dev.ktstr.coordinator.plan;

/** A test's flag constraints do not make sense for its scheduler; the message says which and how to fix it. */
public final class FlagProfileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public FlagProfileException(String message) {
        super(message);
    }
}
