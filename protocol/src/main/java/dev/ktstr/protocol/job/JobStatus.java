package dev.ktstr.protocol.job;

/**
 * Outcome of one variant. INFRA_ERROR is the infrastructure's fault (lost worker, VM that never
 * booted, retries exhausted) and is never counted as a test failure.
 */
public enum JobStatus {
    PASS, FAIL, SKIP, TIMEOUT, INFRA_ERROR;

    /** A test verdict that says something about the scheduler under test. */
    public boolean isTestOutcome() {
        return this != INFRA_ERROR;
    }
}
