package dev.ktstr.results.stats;

import java.util.List;

/**
 * Wake-latency percentiles of one cgroup on one side, from its merged histogram.
 *
 * @param points (percentile, latency µs) pairs, percentile ascending
 */
public record LatencyCurve(String cgroup, long samples, List<double[]> points) {
    static final double[] PERCENTILES = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100};
}
