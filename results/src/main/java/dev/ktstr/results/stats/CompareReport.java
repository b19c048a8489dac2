package dev.ktstr.results.stats;

import dev.ktstr.results.LoadProblem;
import java.util.List;

/**
 * The outcome of a compare. {@link #hasRegression()} decides the exit status.
 *
 * @param sideA       effective filter of side A
 * @param slicing     dimensions whose A and B filters differ
 * @param groupsA     every group of side A (passed, failed and skipped), for the pass/fail matrix
 * @param excluded    pairing keys left out of the math because a side failed or was skipped, with why
 * @param hostDeltas  host facts that differ between the sides
 * @param problems    sidecar files that could not be read (skipped, reported)
 */
public record CompareReport(SideFilter sideA, SideFilter sideB, List<Dimension> slicing, List<String> warnings,
                            boolean averaged, int runsA, int runsB, List<VariantGroup> groupsA,
                            List<VariantGroup> groupsB, List<Pair> pairs, List<String> newInB,
                            List<String> removedInB, List<String> excluded, List<HostDelta> hostDeltas,
                            List<LoadProblem> problems) {

    /**
     * {@code WITHIN_NOISE}: the change passes both gates but the replicas do not show it is real (the
     * noise test's p-value is not below alpha); it never fails a compare.
     */
    public enum Verdict { REGRESSION, IMPROVEMENT, WITHIN_NOISE, UNCHANGED }

    /**
     * One metric of one pair. {@code rel} is |delta/a|, infinite when a was 0. {@code noise} is null when
     * a side has fewer replicas than the minimum: the gates alone judged the change.
     */
    public record MetricDelta(String metric, String unit, double a, double b, double delta, double rel,
                              double absGate, double relGate, Verdict verdict, Noise noise) {}

    public record Pair(String key, VariantGroup a, VariantGroup b, List<MetricDelta> deltas) {
        /** True when every compared metric had a noise estimate. */
        public boolean noiseEstimated() {
            return !deltas.isEmpty() && deltas.stream().allMatch(d -> d.noise() != null);
        }

        public long regressions() {
            return deltas.stream().filter(d -> d.verdict() == Verdict.REGRESSION).count();
        }
    }

    public record HostDelta(String field, String a, String b) {}

    public boolean hasRegression() {
        return regressions() > 0;
    }

    public long regressions() {
        return pairs.stream().mapToLong(Pair::regressions).sum();
    }

    public long withinNoise() {
        return pairs.stream().flatMap(p -> p.deltas().stream()).filter(d -> d.verdict() == Verdict.WITHIN_NOISE).count();
    }

    public long improvements() {
        return pairs.stream().flatMap(p -> p.deltas().stream()).filter(d -> d.verdict() == Verdict.IMPROVEMENT).count();
    }
}
