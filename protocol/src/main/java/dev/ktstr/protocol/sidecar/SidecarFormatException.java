package dev.ktstr.protocol.sidecar;

/** A file is not a sidecar this version can read: corrupt, truncated, foreign or from a newer schema. */
public final class SidecarFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public SidecarFormatException(String message) {
        super(message);
    }

    public SidecarFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
