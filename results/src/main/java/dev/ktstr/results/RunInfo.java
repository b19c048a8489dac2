package dev.ktstr.results;

import java.time.Instant;
import java.util.Objects;

/**
 * What a new run is about; becomes the run's id and {@code run.json}.
 *
 * @param kernel    kernel version (e.g. "6.12.117"); null or blank means "unknown"
 * @param commit    7-hex project commit, optionally with "-dirty"; null outside a git repository
 * @param runSource "local" or "ci"
 * @param startedAt the run's start
 */
public record RunInfo(String kernel, String commit, String runSource, Instant startedAt) {
    public RunInfo {
        kernel = kernel == null || kernel.isBlank() ? "unknown" : kernel;
        commit = commit == null || commit.isBlank() ? null : commit;
        runSource = runSource == null ? defaultRunSource() : runSource;
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** A run starting now, with the run source from the environment (KTSTR_CI non-empty ⇒ "ci"). */
    public static RunInfo of(String kernel, String commit) {
        return new RunInfo(kernel, commit, null, Instant.now());
    }

    static String defaultRunSource() {
        String ci = System.getenv("KTSTR_CI");
        return ci != null && !ci.isEmpty() ? "ci" : "local";
    }
}
