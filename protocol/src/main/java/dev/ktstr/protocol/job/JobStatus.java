package dev.ktstr.protocol.job;

/**
 * Outcome of one variant. INFRA_ERROR is the infrastructure's fault (lost worker, VM that never
 * booted, retries exhausted) and is never counted as a test failure. COMPLETED is what a worker
 * sends for a VM that ran to its end: the coordinator judges its outcome ({@code JobResult.outcome})
 * into one of the others before it records the result, so no recorded result is COMPLETED.
 */
public enum JobStatus {
    PASS, FAIL, SKIP, TIMEOUT, INFRA_ERROR, COMPLETED;

    /** A test verdict that says something about the scheduler under test. */
    public boolean isTestOutcome() {
        return this != INFRA_ERROR;
    }
}
