package dev.ktstr.coordinator;

import java.util.List;

/**
 * A snapshot of a run. {@code failed} counts FAIL + TIMEOUT; {@code infra} INFRA_ERROR.
 *
 * @param etaSeconds -1 while unknown
 */
public record RunProgress(String runId, int total, int done, int running, int queued, int passed, int failed,
                          int skipped, int infra, List<WorkerLoad> workers, double jobsPerSecond, long etaSeconds,
                          long elapsedMs) {

    /** One worker's share: running jobs out of its slots, and vCPUs in use out of what it offers. */
    public record WorkerLoad(String node, int running, int slots, int vcpusUsed, int hostCpus, String accelerator) {
    }

    public static RunProgress empty(String runId, int total) {
        return new RunProgress(runId, total, 0, 0, total, 0, 0, 0, 0, List.of(), 0, -1, 0);
    }
}
