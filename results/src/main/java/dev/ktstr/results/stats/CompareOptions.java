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
 */
public record CompareOptions(SideFilter shared, SideFilter a, SideFilter b, String pattern, boolean average,
                             ThresholdPolicy policy, Path repo) {
    public CompareOptions {
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
        return new CompareOptions(shared, a, b, pattern, average, p, repo);
    }

    public CompareOptions withAverage(boolean avg) {
        return new CompareOptions(shared, a, b, pattern, avg, policy, repo);
    }

    public CompareOptions withPattern(String p) {
        return new CompareOptions(shared, a, b, p, average, policy, repo);
    }
}
