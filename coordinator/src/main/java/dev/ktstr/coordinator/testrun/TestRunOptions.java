package dev.ktstr.coordinator.testrun;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code ktstr test} (and the JUnit engine) asked for.
 *
 * @param testRoots   class directories and jars holding {@code @KtstrTest} classes
 * @param gauntlet    also run gauntlet variants (topology presets x flag profiles)
 * @param filters     {@code -E} name filters (substring, or {@code re:REGEX}); empty = all
 * @param budgetSecs  {@code --budget-secs} text, or null (then {@code KTSTR_BUDGET_SECS} applies)
 * @param partition   {@code hash:M/N} or null
 * @param overcommit  vCPUs allowed per host CPU when choosing gauntlet presets (1 = none)
 * @param listOnly    print variant names and exit
 * @param includeIgnored also run {@code demo_*} base tests
 * @param runsDir     runs root (sidecars, journal); null = default
 * @param slots       concurrent VMs in local mode; 0 = one per two host CPUs
 * @param timeout     per-VM host deadline override; null = derived from the test's duration
 * @param commit      project commit recorded in sidecars, or null
 * @param testIds     only these tests ({@code Class#method}); null = every discovered test
 * @param replicas    {@code --replicas N}: runs of every variant, overriding each test's {@code replicas}; null = the tests' own
 */
public record TestRunOptions(List<Path> testRoots, boolean gauntlet, List<String> filters, String budgetSecs,
                             String partition, int overcommit, boolean listOnly, boolean includeIgnored, Path runsDir,
                             int slots, Duration timeout, String commit, java.util.Set<String> testIds,
                             Integer replicas) {
    public TestRunOptions(List<Path> testRoots, boolean gauntlet, List<String> filters, String budgetSecs, String partition,
                          int overcommit, boolean listOnly, boolean includeIgnored, Path runsDir, int slots, Duration timeout,
                          String commit, java.util.Set<String> testIds) {
        this(testRoots, gauntlet, filters, budgetSecs, partition, overcommit, listOnly, includeIgnored, runsDir, slots, timeout,
                commit, testIds, null);
    }

    public TestRunOptions {
        if (replicas != null && (replicas < 1 || replicas > dev.ktstr.scenario.discovery.KtstrTests.MAX_REPLICAS)) {
            throw new IllegalArgumentException("--replicas must be between 1 and " + dev.ktstr.scenario.discovery.KtstrTests.MAX_REPLICAS
                    + ", got " + replicas);
        }
        testRoots = List.copyOf(testRoots);
        filters = filters == null ? List.of() : List.copyOf(filters);
        if (overcommit < 1) throw new IllegalArgumentException("--overcommit must be >= 1, got " + overcommit);
        testIds = testIds == null ? null : java.util.Set.copyOf(testIds);
        if (slots < 0) throw new IllegalArgumentException("--slots must be >= 0, got " + slots);
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            // checked here, before any run dir exists: an empty run dir would become the "newest" run for `ktstr stats`
            throw new IllegalArgumentException("--timeout must be >= 1 s (the host deadline per VM), got " + timeout.toSeconds()
                    + "; leave it out for the default of 240 + 10 x durationS + 8 x vCPUs");
        }
    }
}
