package dev.ktstr.guest.worker;

import java.util.List;

/**
 * What the agent hands one worker host process (a JSON file named on the host's stdin): the
 * workers it runs as threads, in index order, and where the live iteration counters live.
 *
 * @param workers     one launch per worker thread
 * @param counterFile file mapped shared with the agent for live iteration counters, or null
 */
public record HostLaunch(List<WorkerLaunch> workers, String counterFile) implements java.io.Serializable {
    public HostLaunch {
        workers = List.copyOf(workers);
        if (workers.isEmpty()) throw new IllegalArgumentException("a worker host needs at least one worker");
    }
}
