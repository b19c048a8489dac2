package dev.ktstr.protocol.job;

/**
 * Outcome of one variant. INFRA_ERROR is the infrastructure's fault (lost worker, VM that never
 * booted, retries exhausted) and is never counted as a test failure. COMPLETED is what a worker
 * sends for a VM that ran to its end: the coordinator judges its outcome ({@code JobResult.outcome})
 * into one of the others before it records the result, so no recorded result is COMPLETED.
 * INCONCLUSIVE: the harness cannot judge the run; {@code ktstr test} exits 2 when nothing failed
 * but something was inconclusive (unless the test allows it).
 */
public enum JobStatus {
    PASS, FAIL, SKIP, TIMEOUT, INFRA_ERROR, COMPLETED,
    /** the harness could not judge (e.g. the host starved the VM across a timing check); the reason is in the message */
    INCONCLUSIVE;

    /** A test verdict that says something about the scheduler under test. */
    public boolean isTestOutcome() {
        return this != INFRA_ERROR;
    }

    /**
     * Rank in the verdict lattice FAIL > INCONCLUSIVE > PASS > SKIP (a timeout and an infrastructure
     * error rank with FAIL: the run did not pass): combining verdicts keeps the higher.
     */
    public int severity() {
        return switch (this) {
            case SKIP -> 0;
            case PASS -> 1;
            case INCONCLUSIVE -> 2;
            case FAIL, TIMEOUT, INFRA_ERROR, COMPLETED -> 3;
        };
    }
}
