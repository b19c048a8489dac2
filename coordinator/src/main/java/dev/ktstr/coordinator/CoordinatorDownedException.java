package dev.ktstr.coordinator;

/**
 * The coordinator's own cluster node went away under a run (downed by the split-brain resolver,
 * or its actor system stopped): the run cannot finish in this process. {@code ktstr coordinator}
 * exits with status 4 for it, which the shipped systemd unit restarts with {@code --resume}.
 */
public final class CoordinatorDownedException extends IllegalStateException {
    public CoordinatorDownedException(String message) {
        super(message);
    }
}
