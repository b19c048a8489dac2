package dev.ktstr.results.stats;

import java.util.Arrays;
import java.util.Optional;
import org.apache.commons.statistics.distribution.TDistribution;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.MannWhitneyUTest;

/**
 * What the replicas of both sides say about one metric: each side's mean with a 95 % confidence
 * interval (Student t), and a two-sided Mann-Whitney U test of "A and B come from one distribution".
 * Mann-Whitney is rank-based, so one VM the host starved does not dominate the test as it does a
 * mean (TCG hosts produce such outliers); its p-value is exact for small replica sets without ties.
 * With 4 replicas per side its smallest p-value is 0.029, with 3 it is 0.1: below 4, no change can be
 * significant at 0.05, which is why 4 is the default minimum.
 *
 * @param nA       samples of side A (passing replicas that recorded the metric)
 * @param meanA    their mean
 * @param ciA      half-width of side A's 95 % confidence interval of the mean
 * @param pValue   two-sided Mann-Whitney U p-value
 */
public record Noise(int nA, double meanA, double ciA, int nB, double meanB, double ciB, double pValue) {
    public static final int DEFAULT_MIN_REPLICAS = 4;
    public static final double DEFAULT_ALPHA = 0.05;

    /** The estimate, or empty when a side has fewer than {@code minReplicas} samples. */
    public static Optional<Noise> of(double[] a, double[] b, int minReplicas) {
        if (a.length < Math.max(2, minReplicas) || b.length < Math.max(2, minReplicas)) return Optional.empty();
        double p;
        if (constantAndEqual(a, b)) {
            p = 1.0; // identical constant samples: nothing to test, and the test's variance would be 0
        } else {
            p = MannWhitneyUTest.withDefaults().with(AlternativeHypothesis.TWO_SIDED).test(a, b).getPValue();
        }
        return Optional.of(new Noise(a.length, mean(a), halfWidth(a), b.length, mean(b), halfWidth(b), p));
    }

    public boolean significant(double alpha) {
        return pValue < alpha;
    }

    static double mean(double[] x) {
        return Arrays.stream(x).average().orElse(Double.NaN);
    }

    static double halfWidth(double[] x) {
        int n = x.length;
        double m = mean(x);
        double ss = 0;
        for (double v : x) ss += (v - m) * (v - m);
        double sd = Math.sqrt(ss / (n - 1));
        return TDistribution.of(n - 1).inverseSurvivalProbability(0.025) * sd / Math.sqrt(n);
    }

    private static boolean constantAndEqual(double[] a, double[] b) {
        double v = a[0];
        return Arrays.stream(a).allMatch(x -> x == v) && Arrays.stream(b).allMatch(x -> x == v);
    }
}
