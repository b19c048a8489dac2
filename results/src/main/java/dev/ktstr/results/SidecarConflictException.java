package dev.ktstr.results;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A run already holds a sidecar for this variant. A run records each variant once; a rerun
 * belongs in a new run (history is kept), and a retry must write only its final attempt.
 */
public final class SidecarConflictException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path existing;

    public SidecarConflictException(Path existing, String message) {
        super(message);
        this.existing = existing;
    }

    public Path existing() {
        return existing;
    }
}
