package dev.ktstr.protocol.job;

/**
 * The parts of a test's resolved config the verdict depends on, shipped with its job so the
 * coordinator judges the outcome the way the test declared (and a resumed run the same way).
 *
 * @param expectErr         the test is expected to fail (a failure passes, a pass fails)
 * @param cleanupBudgetMs   teardown longer than this fails a passing test; null = no budget
 * @param schedError        what the scheduler's exit message must say for an expected failure to
 *                          count (implies expectErr); null = any failure
 * @param allowInconclusive an inconclusive verdict of this test does not fail the run
 * @param gapThresholdMs    the test's scheduling-gap limit: a host that kept a vCPU waiting longer
 *                          makes a timing verdict inconclusive; null = not judged
 */
public record VerdictTerms(boolean expectErr, Long cleanupBudgetMs, SchedErrorMatch schedError, boolean allowInconclusive,
                           Long gapThresholdMs) implements CborSerializable {
    public static final VerdictTerms DEFAULT = new VerdictTerms(false, null);

    public VerdictTerms {
        if (schedError != null) expectErr = true;
    }

    public VerdictTerms(boolean expectErr, Long cleanupBudgetMs) {
        this(expectErr, cleanupBudgetMs, null, false, null);
    }

    public VerdictTerms(boolean expectErr, Long cleanupBudgetMs, SchedErrorMatch schedError, boolean allowInconclusive) {
        this(expectErr, cleanupBudgetMs, schedError, allowInconclusive, null);
    }
}
