package dev.ktstr.vmm.monitor;

import dev.ktstr.protocol.sidecar.MonitorSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host-side monitor checks (ktstr spec §4.4) as pure functions over a sample series. Run
 * them only for sched_ext schedulers: under EEVDF imbalance and DSQ depth mean nothing.
 */
public final class MonitorChecks {
    /** Plausibility limit: a deeper local DSQ means we read garbage (guest not initialised). */
    static final long IMPLAUSIBLE_DSQ_DEPTH = 10_000;

    private MonitorChecks() {}

    /** Longest run of consecutive violating samples, and where it ended. */
    static final class Sustained {
        int run;
        int longest;
        int endIndex = -1;
        double worst;
        double worstInLongest;
        double currentWorst;

        void observe(boolean violating, double value, int sampleIndex) {
            if (violating) {
                run++;
                currentWorst = run == 1 ? value : Math.max(currentWorst, value);
                if (run > longest) {
                    longest = run;
                    endIndex = sampleIndex;
                    worstInLongest = currentWorst;
                }
                worst = Math.max(worst, value);
            } else {
                run = 0;
            }
        }
    }

    /**
     * @param samples               all samples in order (the warm-up is trimmed here)
     * @param preemptionThresholdNs vCPU host CPU time that must pass between samples for a
     *                              frozen rq clock to count as a stall (10 guest ticks)
     */
    public static MonitorVerdict evaluate(List<MonitorSample> samples, MonitorThresholds t, long preemptionThresholdNs) {
        List<MonitorSample> s = samples.size() > t.warmupSamples() ? samples.subList(t.warmupSamples(), samples.size()) : List.of();
        if (s.isEmpty()) return pass(0, "no monitor samples");
        if (uninitialised(s)) return pass(s.size(), "monitor data not yet initialized");

        List<String> violations = new ArrayList<>();
        Sustained imb = new Sustained();
        Sustained dsq = new Sustained();
        Sustained fallback = new Sustained();
        Sustained keepLast = new Sustained();
        int cpus = s.get(0).cpus().size();
        Sustained[] stall = new Sustained[cpus];
        for (int i = 0; i < cpus; i++) stall[i] = new Sustained();
        int worstDsqCpu = -1;
        long maxDsq = 0;
        double maxImb = 0;
        double sumImb = 0;
        double sumNr = 0;
        double sumDsq = 0;
        long nrCount = 0;
        long totalFallback = 0;
        long totalKeepLast = 0;
        long stallCount = 0;

        for (int i = 0; i < s.size(); i++) {
            MonitorSample cur = s.get(i);
            long max = Long.MIN_VALUE;
            long min = Long.MAX_VALUE;
            long sampleDsq = 0;
            int sampleDsqCpu = -1;
            for (CpuSnapshot c : cur.cpus()) {
                max = Math.max(max, c.nrRunning());
                min = Math.min(min, c.nrRunning());
                sumNr += c.nrRunning();
                nrCount++;
                if (c.localDsqDepth() != null) {
                    sumDsq += c.localDsqDepth();
                    if (c.localDsqDepth() > sampleDsq || sampleDsqCpu < 0) {
                        sampleDsq = c.localDsqDepth();
                        sampleDsqCpu = c.cpu();
                    }
                }
            }
            double ratio = cur.cpus().isEmpty() ? 1.0 : (double) max / Math.max(1, min);
            sumImb += ratio;
            maxImb = Math.max(maxImb, ratio);
            imb.observe(ratio > t.maxImbalanceRatio(), ratio, cur.index());
            if (sampleDsq > maxDsq) {
                maxDsq = sampleDsq;
                worstDsqCpu = sampleDsqCpu;
            }
            dsq.observe(sampleDsq > t.maxLocalDsqDepth(), sampleDsq, cur.index());

            if (i == 0) continue;
            MonitorSample prev = s.get(i - 1);
            for (int c = 0; c < Math.min(cpus, Math.min(cur.cpus().size(), prev.cpus().size())); c++) {
                CpuSnapshot a = prev.cpus().get(c);
                CpuSnapshot b = cur.cpus().get(c);
                boolean frozen = b.rqClock() == a.rqClock() && b.rqClock() != 0;
                boolean idle = a.nrRunning() == 0 && b.nrRunning() == 0; // NOHZ idle CPUs stop their clock legitimately
                boolean preempted = a.vcpuCpuTimeNs() != null && b.vcpuCpuTimeNs() != null
                        && b.vcpuCpuTimeNs() - a.vcpuCpuTimeNs() < preemptionThresholdNs;
                stall[c].observe(frozen && !idle && !preempted, 1, cur.index());
            }
            double dt = (cur.elapsedMs() - prev.elapsedMs()) / 1000.0;
            long dFallback = eventDelta(prev, cur, "select_cpu_fallback");
            long dKeepLast = eventDelta(prev, cur, "dispatch_keep_last");
            if (dFallback >= 0) {
                totalFallback += dFallback;
                double rate = dt > 0 ? dFallback / dt : 0;
                fallback.observe(rate > t.maxFallbackRate(), rate, cur.index());
            }
            if (dKeepLast >= 0) {
                totalKeepLast += dKeepLast;
                double rate = dt > 0 ? dKeepLast / dt : 0;
                keepLast.observe(rate > t.maxKeepLastRate(), rate, cur.index());
            }
        }

        int n = t.sustainedSamples();
        if (imb.longest >= n) {
            violations.add(String.format("imbalance ratio %.1f exceeded threshold %.1f for %d consecutive samples (ending at sample %d)",
                    imb.worstInLongest, t.maxImbalanceRatio(), imb.longest, imb.endIndex));
        }
        if (dsq.longest >= n) {
            violations.add(String.format("local DSQ depth %d exceeded threshold %d for %d consecutive samples (ending at sample %d, worst cpu%d)",
                    (long) dsq.worstInLongest, t.maxLocalDsqDepth(), dsq.longest, dsq.endIndex, worstDsqCpu));
        }
        for (int c = 0; c < cpus; c++) {
            if (stall[c].longest >= n) {
                stallCount++;
                if (t.failOnStall()) {
                    violations.add(String.format("rq_clock stall on cpu%d for %d consecutive samples (ending at sample %d)",
                            c, stall[c].longest, stall[c].endIndex));
                }
            }
        }
        if (fallback.longest >= n) {
            violations.add(String.format("select_cpu_fallback rate %.1f/s exceeded threshold %.1f/s for %d consecutive samples (ending at sample %d)",
                    fallback.worstInLongest, t.maxFallbackRate(), fallback.longest, fallback.endIndex));
        }
        if (keepLast.longest >= n) {
            violations.add(String.format("dispatch_keep_last rate %.1f/s exceeded threshold %.1f/s for %d consecutive samples (ending at sample %d)",
                    keepLast.worstInLongest, t.maxKeepLastRate(), keepLast.longest, keepLast.endIndex));
        }
        boolean passed = violations.isEmpty();
        MonitorSummary summary = new MonitorSummary(s.size(), maxImb, maxDsq, stallCount, totalFallback, totalKeepLast, passed,
                passed ? "monitor OK" : "monitor FAILED: " + violations.size() + " violation(s)");
        return new MonitorVerdict(passed, violations, "", summary, nrCount == 0 ? 0 : sumNr / nrCount, sumImb / s.size(),
                nrCount == 0 ? 0 : sumDsq / nrCount);
    }

    private static MonitorVerdict pass(int n, String note) {
        return new MonitorVerdict(true, List.of(), note, new MonitorSummary(n, 0, 0, 0, 0, 0, true, "monitor OK (" + note + ")"), 0, 0, 0);
    }

    /** Every rq_clock identical across CPUs and samples, or an impossible DSQ depth. */
    static boolean uninitialised(List<MonitorSample> s) {
        Long first = null;
        boolean allSame = true;
        for (MonitorSample m : s) {
            for (CpuSnapshot c : m.cpus()) {
                if (c.localDsqDepth() != null && c.localDsqDepth() > IMPLAUSIBLE_DSQ_DEPTH) return true;
                if (first == null) first = c.rqClock();
                else if (c.rqClock() != first) allSame = false;
            }
        }
        return allSame;
    }

    /** Σ over CPUs of the counter's increase, or -1 when the kernel does not provide it. */
    static long eventDelta(MonitorSample a, MonitorSample b, String name) {
        long d = 0;
        boolean any = false;
        for (int c = 0; c < Math.min(a.cpus().size(), b.cpus().size()); c++) {
            Map<String, Long> x = a.cpus().get(c).eventCounters();
            Map<String, Long> y = b.cpus().get(c).eventCounters();
            if (x == null || y == null || !x.containsKey(name) || !y.containsKey(name)) continue;
            any = true;
            d += Math.max(0, y.get(name) - x.get(name));
        }
        return any ? d : -1;
    }
}
