package dev.ktstr.protocol.topology;

/** A topology that cannot exist; the message names the problem and the expected form. */
public final class InvalidTopologyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidTopologyException(String message) {
        super(message);
    }
}
