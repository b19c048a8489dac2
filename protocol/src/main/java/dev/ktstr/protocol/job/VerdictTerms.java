package dev.ktstr.protocol.job;

/**
 * The parts of a test's resolved config the verdict depends on, shipped with its job so the
 * coordinator judges the outcome the way the test declared (and a resumed run the same way).
 *
 * @param expectErr       the test is expected to fail (a failure passes, a pass fails)
 * @param cleanupBudgetMs teardown longer than this fails a passing test; null = no budget
 */
public record VerdictTerms(boolean expectErr, Long cleanupBudgetMs) implements CborSerializable {
    public static final VerdictTerms DEFAULT = new VerdictTerms(false, null);
}
