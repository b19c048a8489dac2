package dev.ktstr.results.stats;

import java.nio.file.Path;

/**
 * Everything {@code stats compare} needs besides the sidecars.
 *
 * @param shared  filters applying to both sides ({@code --kernel} ...)
 * @param a       side A's own filters ({@code --a-kernel} ...), replacing shared ones per dimension
 * @param b       side B's own filters
 * @param pattern {@code -E} substring over "{scenario} {topology} {scheduler} {work_type} {flags}", or null
 * @param average average rows sharing a pairing key (default); false errors on duplicates
 * @param policy  relative gates
 * @param repo    git repository for commit revspecs (normally the cwd)
 * @param minReplicas samples a side needs per variant and metric for a noise estimate ({@link Noise})
 * @param alpha   a change counts only when the noise test's p-value is below this (with a noise estimate)
 */
public record CompareOptions(SideFilter shared, SideFilter a, SideFilter b, String pattern, boolean average,
                             ThresholdPolicy policy, Path repo, int minReplicas, double alpha) {
    public CompareOptions(SideFilter shared, SideFilter a, SideFilter b, String pattern, boolean average, ThresholdPolicy policy,
                          Path repo) {
        this(shared, a, b, pattern, average, policy, repo, Noise.DEFAULT_MIN_REPLICAS, Noise.DEFAULT_ALPHA);
    }

    public CompareOptions {
        if (minReplicas < 2) {
            throw new IllegalArgumentException("--min-replicas must be >= 2 (a confidence interval needs two samples), got " + minReplicas);
        }
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("--alpha must be between 0 and 1, got " + alpha);
        shared = shared == null ? SideFilter.none() : shared;
        a = a == null ? SideFilter.none() : a;
        b = b == null ? SideFilter.none() : b;
        policy = policy == null ? ThresholdPolicy.registryDefaults() : policy;
        repo = repo == null ? Path.of("") .toAbsolutePath() : repo;
    }

    /** {@code --runs A B}: run A against run B, everything else paired. */
    public static CompareOptions runs(String runA, String runB) {
        return new CompareOptions(SideFilter.none(),
                new SideFilter(java.util.Map.of(Dimension.RUN, java.util.Set.of(runA))),
                new SideFilter(java.util.Map.of(Dimension.RUN, java.util.Set.of(runB))),
                null, true, null, null);
    }

    public CompareOptions withPolicy(ThresholdPolicy p) {
        return new CompareOptions(shared, a, b, pattern, average, p, repo, minReplicas, alpha);
    }

    public CompareOptions withAverage(boolean avg) {
        return new CompareOptions(shared, a, b, pattern, avg, policy, repo, minReplicas, alpha);
    }

    public CompareOptions withPattern(String p) {
        return new CompareOptions(shared, a, b, p, average, policy, repo, minReplicas, alpha);
    }

    public CompareOptions withNoise(int min, double a) {
        return new CompareOptions(shared, this.a, b, pattern, average, policy, repo, min, a);
    }
}
