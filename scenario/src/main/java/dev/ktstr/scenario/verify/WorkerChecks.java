package dev.ktstr.scenario.verify;

import dev.ktstr.scenario.report.WorkerReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * The per-cgroup worker checks of spec §4.3, as pure functions over {@link WorkerReport}s.
 *
 * <p>Difference from the original: wake latencies arrive as HdrHistograms (3 significant digits),
 * not raw samples, so p99 and median are HdrHistogram percentiles (within 0.1 % of the exact
 * sorted-sample element) and the latency CV uses the histogram's mean and population std-dev.
 */
public final class WorkerChecks {

    private WorkerChecks() {
    }

    /**
     * Checks one cgroup. {@code cpuset} is the cgroup's CPU set ({@code null} = none, isolation not
     * checkable); {@code numaNodes} the NUMA nodes that cpuset covers ({@code null} = unknown, NUMA
     * checks skipped). When {@code checks} sets no worker-level field, a plain starvation check runs.
     */
    public static AssertResult check(String cgroup, List<WorkerReport> reports, Assert checks,
                                     SortedSet<Integer> cpuset, SortedSet<Integer> numaNodes) {
        if (reports == null || reports.isEmpty()) {
            return AssertResult.skip("cgroup " + cgroup + ": no worker reports");
        }
        Assert a = checks == null || !checks.hasWorkerChecks() ? Assert.NO_OVERRIDES.withNotStarved(true) : checks;
        CgroupStats stats = stats(cgroup, reports, numaNodes);
        List<AssertDetail> fails = new ArrayList<>();

        for (WorkerReport r : reports) {
            if (!r.completed()) {
                String why = r.exitInfo() == null ? "no report" : r.exitInfo().describe();
                fails.add(new AssertDetail(DetailKind.OTHER, "tid " + r.tid() + " in " + label(cgroup) + " produced no report (" + why + ")"));
            }
        }

        if (a.checksNotStarved()) {
            for (WorkerReport r : reports) {
                if (r.workUnits() == 0) fails.add(new AssertDetail(DetailKind.STARVED, "tid " + r.tid() + " starved (0 work units)"));
            }
            int contributing = (int) reports.stream().filter(r -> r.wallTimeNs() > 0).count();
            double limit = a.spreadLimitPct();
            if (contributing >= 2 && stats.spread() > limit) {
                fails.add(new AssertDetail(DetailKind.UNFAIR, String.format(Locale.ROOT,
                        "unfair cgroup: spread=%s%% (%s-%s%%) %d workers on %d cpus (threshold %s%%)",
                        num(stats.spread()), num(stats.minOffCpuPct()), num(stats.maxOffCpuPct()), contributing,
                        stats.numCpus(), thr(limit))));
            }
            long gapLimit = a.gapLimitMs();
            for (WorkerReport r : reports) {
                if (r.maxGapMs() > gapLimit) {
                    fails.add(new AssertDetail(DetailKind.STUCK, "stuck " + r.maxGapMs() + "ms on cpu" + r.maxGapCpu()
                            + " at +" + r.maxGapAtMs() + "ms (threshold " + gapLimit + "ms)"));
                }
            }
        }

        if (a.checksIsolation() && cpuset != null) {
            for (WorkerReport r : reports) {
                SortedSet<Integer> outside = new TreeSet<>(r.cpusUsed());
                outside.removeAll(cpuset);
                if (!outside.isEmpty()) {
                    fails.add(new AssertDetail(DetailKind.ISOLATION, "tid " + r.tid() + " ran on unexpected CPUs " + braces(outside)));
                }
            }
        }

        if (a.maxThroughputCv() != null || a.minWorkRate() != null) {
            double[] rates = reports.stream().mapToDouble(WorkerChecks::workRate).toArray();
            double mean = mean(rates);
            if (a.maxThroughputCv() != null && rates.length >= 2 && mean > 0) {
                double cv = stddev(rates, mean) / mean;
                if (cv > a.maxThroughputCv()) {
                    fails.add(new AssertDetail(DetailKind.BENCHMARK, String.format(Locale.ROOT,
                            "throughput cv %.3f exceeds threshold %s (mean %.0f units/cpu-s over %d workers)", cv, thr(a.maxThroughputCv()), mean, rates.length)));
                }
            }
            if (a.minWorkRate() != null) {
                for (WorkerReport r : reports) {
                    double rate = workRate(r);
                    if (rate < a.minWorkRate()) {
                        fails.add(new AssertDetail(DetailKind.BENCHMARK, String.format(Locale.ROOT,
                                "tid %d work rate %.1f units/cpu-s below threshold %s", r.tid(), rate, thr(a.minWorkRate()))));
                    }
                }
            }
        }

        Histogram pool = pooledLatencies(reports);
        if (a.maxP99WakeLatencyNs() != null && pool.getTotalCount() > 0) {
            long p99 = pool.getValueAtPercentile(99.0);
            if (p99 > a.maxP99WakeLatencyNs()) {
                fails.add(new AssertDetail(DetailKind.BENCHMARK, "p99 wake latency " + p99 + "ns exceeds threshold "
                        + a.maxP99WakeLatencyNs() + "ns (" + pool.getTotalCount() + " samples)"));
            }
        }
        if (a.maxWakeLatencyCv() != null && pool.getTotalCount() >= 2 && pool.getMean() > 0) {
            double cv = pool.getStdDeviation() / pool.getMean();
            if (cv > a.maxWakeLatencyCv()) {
                fails.add(new AssertDetail(DetailKind.BENCHMARK, String.format(Locale.ROOT,
                        "wake latency cv %.3f exceeds threshold %s", cv, thr(a.maxWakeLatencyCv()))));
            }
        }
        if (a.minIterationRate() != null) {
            for (WorkerReport r : reports) {
                double rate = r.wallTimeNs() > 0 ? r.iterations() / (r.wallTimeNs() / 1e9) : 0;
                if (rate < a.minIterationRate()) {
                    fails.add(new AssertDetail(DetailKind.BENCHMARK, String.format(Locale.ROOT,
                            "tid %d iteration rate %.1f/s below threshold %s", r.tid(), rate, thr(a.minIterationRate()))));
                }
            }
        }

        if (a.maxMigrationRatio() != null && stats.migrationRatio() > a.maxMigrationRatio()) {
            fails.add(new AssertDetail(DetailKind.MIGRATION, String.format(Locale.ROOT,
                    "migration ratio %.3f exceeds threshold %s (%d migrations / %d iterations)", stats.migrationRatio(),
                    thr(a.maxMigrationRatio()), stats.totalMigrations(), stats.totalIterations())));
        }

        if (numaNodes != null) {
            for (WorkerReport r : reports) {
                long total = r.totalNumaPages();
                if (total == 0) continue;
                long local = 0;
                for (Map.Entry<Integer, Long> e : r.numaPages().entrySet()) if (numaNodes.contains(e.getKey())) local += e.getValue();
                double locality = (double) local / total;
                if (a.minPageLocality() != null && locality < a.minPageLocality()) {
                    fails.add(new AssertDetail(DetailKind.PAGE_LOCALITY, String.format(Locale.ROOT,
                            "tid %d page locality %.3f below threshold %s (%d of %d pages on nodes %s)", r.tid(), locality,
                            thr(a.minPageLocality()), local, total, braces(numaNodes))));
                }
                double slow = (double) (total - local) / total;
                if (a.maxSlowTierRatio() != null && slow > a.maxSlowTierRatio()) {
                    fails.add(new AssertDetail(DetailKind.SLOW_TIER, String.format(Locale.ROOT,
                            "tid %d slow-tier ratio %.3f exceeds threshold %s (%d of %d pages off nodes %s)", r.tid(), slow,
                            thr(a.maxSlowTierRatio()), total - local, total, braces(numaNodes))));
                }
            }
        }
        if (a.maxCrossNodeMigrationRatio() != null) {
            for (WorkerReport r : reports) {
                long total = r.totalNumaPages();
                if (total == 0) continue;
                double ratio = (double) r.vmstatNumaPagesMigrated() / total;
                if (ratio > a.maxCrossNodeMigrationRatio()) {
                    fails.add(new AssertDetail(DetailKind.CROSS_NODE_MIGRATION, String.format(Locale.ROOT,
                            "tid %d cross-node migration ratio %.3f exceeds threshold %s (%d migrated / %d pages)", r.tid(), ratio,
                            thr(a.maxCrossNodeMigrationRatio()), r.vmstatNumaPagesMigrated(), total)));
                }
            }
        }

        return new AssertResult(fails.isEmpty(), false, fails, ScenarioStats.of(stats));
    }

    /** The {@link CgroupStats} of the starvation pass. */
    public static CgroupStats stats(String cgroup, List<WorkerReport> reports, SortedSet<Integer> numaNodes) {
        SortedSet<Integer> cpus = new TreeSet<>();
        double min = Double.MAX_VALUE, max = 0, sum = 0;
        int withWall = 0;
        long maxGap = 0;
        int maxGapCpu = -1;
        long migrations = 0, iterations = 0, runDelaySum = 0, runDelayMax = 0;
        long localPages = 0, totalPages = 0, migratedPages = 0;
        Map<String, Double> ext = new HashMap<>();
        for (WorkerReport r : reports) {
            cpus.addAll(r.cpusUsed());
            if (r.wallTimeNs() > 0) {
                double p = r.offCpuPct();
                min = Math.min(min, p);
                max = Math.max(max, p);
                sum += p;
                withWall++;
            }
            if (r.maxGapMs() > maxGap || maxGapCpu < 0 && r.maxGapMs() == maxGap) {
                maxGap = r.maxGapMs();
                maxGapCpu = r.maxGapCpu();
            }
            migrations += r.migrationCount();
            iterations += r.iterations();
            runDelaySum += r.schedstatRunDelayNs();
            runDelayMax = Math.max(runDelayMax, r.schedstatRunDelayNs());
            long t = r.totalNumaPages();
            totalPages += t;
            migratedPages += r.vmstatNumaPagesMigrated();
            if (numaNodes != null) {
                for (Map.Entry<Integer, Long> e : r.numaPages().entrySet()) if (numaNodes.contains(e.getKey())) localPages += e.getValue();
            }
            ext.merge("jvm_gc_count", (double) r.jvm().gcCount(), Math::max);
            ext.merge("jvm_gc_time_ms", (double) r.jvm().gcTimeMs(), Math::max);
            ext.merge("jvm_jit_time_ms", (double) r.jvm().jitCompileTimeMs(), Math::max);
        }
        if (withWall == 0) min = 0;
        Histogram pool = pooledLatencies(reports);
        double p99 = 0, median = 0, cv = 0;
        if (pool.getTotalCount() > 0) {
            p99 = pool.getValueAtPercentile(99.0) / 1000.0;
            median = pool.getValueAtPercentile(50.0) / 1000.0;
            if (pool.getTotalCount() >= 2 && pool.getMean() > 0) cv = pool.getStdDeviation() / pool.getMean();
        }
        int n = reports.size();
        return new CgroupStats(cgroup, n, cpus.size(), withWall == 0 ? 0 : sum / withWall, min, max, max - min, maxGap, maxGapCpu,
                migrations, iterations == 0 ? 0 : (double) migrations / iterations, p99, median, cv, iterations,
                n == 0 ? 0 : runDelaySum / 1000.0 / n, runDelayMax / 1000.0,
                numaNodes == null || totalPages == 0 ? 0 : (double) localPages / totalPages,
                totalPages == 0 ? 0 : (double) migratedPages / totalPages,
                median == 0 ? 0 : p99 / median, n == 0 ? 0 : (double) iterations / n, ext);
    }

    /** All workers' wake latencies in one histogram (ns). */
    public static Histogram pooledLatencies(List<WorkerReport> reports) {
        Histogram pool = WorkerReport.newLatencyHistogram();
        for (WorkerReport r : reports) {
            if (r.wakeLatencyHistogram() != null && !r.wakeLatencyHistogram().isEmpty()) pool.add(r.wakeLatencies());
        }
        return pool;
    }

    /** Work units per CPU-second; 0 when the worker used no CPU time. */
    public static double workRate(WorkerReport r) {
        return r.cpuTimeNs() <= 0 ? 0 : r.workUnits() / (r.cpuTimeNs() / 1e9);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? 0 : s / v.length;
    }

    private static double stddev(double[] v, double mean) {
        double s = 0;
        for (double x : v) s += (x - mean) * (x - mean);
        return Math.sqrt(s / v.length);
    }

    /** Whole numbers without decimals, else one decimal (so "spread=42%" but "spread=35.4%"). */
    static String num(double v) {
        double r = Math.rint(v);
        if (Math.abs(v - r) < 0.05) return Long.toString((long) r);
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Thresholds as the user wrote them: 0.19 stays 0.19, 35.0 prints 35. */
    static String thr(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    static String braces(SortedSet<Integer> s) {
        return s.toString().replace('[', '{').replace(']', '}');
    }

    private static String label(String cgroup) {
        return cgroup.isEmpty() ? "the root cgroup" : cgroup;
    }
}
