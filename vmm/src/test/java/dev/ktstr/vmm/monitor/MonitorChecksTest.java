package dev.ktstr.vmm.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class MonitorChecksTest {
    static final long PREEMPT_NS = 10_000_000; // HZ=1000
    static final MonitorThresholds T = MonitorThresholds.DEFAULTS;

    /** One CPU's state in sample i. */
    interface Cpu {
        CpuSnapshot at(int sample, int cpu);
    }

    static List<MonitorSample> series(int n, int cpus, Cpu f) {
        List<MonitorSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<CpuSnapshot> cs = new ArrayList<>();
            for (int c = 0; c < cpus; c++) cs.add(f.at(i, c));
            out.add(new MonitorSample(i, i * 100L, 1000, cs));
        }
        return out;
    }

    /** A healthy busy CPU: clock and vCPU time advance 100 ms per sample. */
    static CpuSnapshot busy(int i, int c, long nr, long dsq) {
        return new CpuSnapshot(c, nr, nr, dsq, 1_000_000L + i * 100_000_000L + c, 0L, null, i * 100_000_000L, null);
    }

    static CpuSnapshot withEvents(CpuSnapshot s, long fallback, long keepLast) {
        return new CpuSnapshot(s.cpu(), s.nrRunning(), s.scxNrRunning(), s.localDsqDepth(), s.rqClock(), s.scxFlags(), s.schedstat(),
                s.vcpuCpuTimeNs(), Map.of("select_cpu_fallback", fallback, "dispatch_keep_last", keepLast));
    }

    @Test
    void healthySeriesPasses() {
        MonitorVerdict v = MonitorChecks.evaluate(series(60, 4, (i, c) -> busy(i, c, 2, 1)), T, PREEMPT_NS);
        assertThat(v.passed()).isTrue();
        assertThat(v.line()).isEqualTo("monitor OK");
        assertThat(v.summary().samples()).isEqualTo(40); // 20 warm-up samples trimmed
        assertThat(v.summary().maxImbalanceRatio()).isEqualTo(1.0);
        assertThat(v.avgNrRunning()).isEqualTo(2.0);
    }

    @Test
    void noSamplesOrOnlyWarmupPasses() {
        assertThat(MonitorChecks.evaluate(List.of(), T, PREEMPT_NS).note()).isEqualTo("no monitor samples");
        assertThat(MonitorChecks.evaluate(series(20, 2, (i, c) -> busy(i, c, 9, 0)), T, PREEMPT_NS).note()).isEqualTo("no monitor samples");
    }

    @Test
    void uninitialisedDataPasses() {
        var frozen = series(40, 2, (i, c) -> new CpuSnapshot(c, 5, 5L, 0L, 777, 0L, null, i * 100_000_000L, null));
        assertThat(MonitorChecks.evaluate(frozen, T, PREEMPT_NS).note()).isEqualTo("monitor data not yet initialized");
        var garbage = series(40, 2, (i, c) -> busy(i, c, 1, i == 30 ? 20_000 : 0));
        assertThat(MonitorChecks.evaluate(garbage, T, PREEMPT_NS).note()).isEqualTo("monitor data not yet initialized");
    }

    @Test
    void sustainedImbalanceFailsButShortBurstDoesNot() {
        // cpu0 has 8 runnable, cpu1 1 → ratio 8 during samples 30..36 (7 samples)
        Cpu f = (i, c) -> busy(i, c, c == 0 && i >= 30 && i <= 36 ? 8 : 1, 0);
        MonitorVerdict v = MonitorChecks.evaluate(series(60, 2, f), T, PREEMPT_NS);
        assertThat(v.passed()).isFalse();
        assertThat(v.violations()).containsExactly("imbalance ratio 8.0 exceeded threshold 4.0 for 7 consecutive samples (ending at sample 36)");
        assertThat(v.line()).isEqualTo("monitor FAILED: 1 violation(s)");
        Cpu burst = (i, c) -> busy(i, c, c == 0 && i >= 30 && i <= 33 ? 8 : 1, 0);
        assertThat(MonitorChecks.evaluate(series(60, 2, burst), T, PREEMPT_NS).passed()).isTrue();
    }

    @Test
    void imbalanceDuringWarmupIsIgnored() {
        Cpu f = (i, c) -> busy(i, c, c == 0 && i < 20 ? 8 : 1, 0);
        assertThat(MonitorChecks.evaluate(series(60, 2, f), T, PREEMPT_NS).passed()).isTrue();
    }

    @Test
    void deepLocalDsqFailsNamingTheWorstCpu() {
        Cpu f = (i, c) -> busy(i, c, 1, c == 2 && i >= 40 ? 80 : 3);
        MonitorVerdict v = MonitorChecks.evaluate(series(60, 4, f), T, PREEMPT_NS);
        assertThat(v.violations()).singleElement().asString()
                .isEqualTo("local DSQ depth 80 exceeded threshold 50 for 20 consecutive samples (ending at sample 59, worst cpu2)");
        assertThat(v.summary().maxDsqDepth()).isEqualTo(80);
    }

    @Test
    void frozenClockOnABusyRunningVcpuIsAStall() {
        IntFunction<Cpu> withFrozenCpu1 = from -> (i, c) -> {
            CpuSnapshot s = busy(i, c, 1, 0);
            if (c != 1 || i < from) return s;
            return new CpuSnapshot(c, 1, 1L, 0L, 5_000_000L, 0L, null, s.vcpuCpuTimeNs(), null);
        };
        MonitorVerdict v = MonitorChecks.evaluate(series(60, 2, withFrozenCpu1.apply(40)), T, PREEMPT_NS);
        assertThat(v.violations()).containsExactly("rq_clock stall on cpu1 for 19 consecutive samples (ending at sample 59)");
        assertThat(v.summary().stallCount()).isEqualTo(1);
        MonitorThresholds noStall = new MonitorThresholds(4.0, 50, false, 5, 200, 100, 20);
        MonitorVerdict off = MonitorChecks.evaluate(series(60, 2, withFrozenCpu1.apply(40)), noStall, PREEMPT_NS);
        assertThat(off.passed()).isTrue();
        assertThat(off.summary().stallCount()).isEqualTo(1);
    }

    @Test
    void frozenClockIsExemptWhenIdleOrWhenTheHostDidNotRunTheVcpu() {
        Cpu idle = (i, c) -> c == 1 && i >= 40 ? new CpuSnapshot(c, 0, 0L, 0L, 5_000_000L, 0L, null, i * 100_000_000L, null) : busy(i, c, 1, 0);
        assertThat(MonitorChecks.evaluate(series(60, 2, idle), T, PREEMPT_NS).passed()).isTrue();
        // vCPU thread got 5 ms of host CPU per 100 ms sample (< 10 ticks): host preemption, not a guest stall
        Cpu preempted = (i, c) -> c == 1 && i >= 40
                ? new CpuSnapshot(c, 1, 1L, 0L, 5_000_000L, 0L, null, 4_000_000_000L + i * 5_000_000L, null) : busy(i, c, 1, 0);
        assertThat(MonitorChecks.evaluate(series(60, 2, preempted), T, PREEMPT_NS).passed()).isTrue();
        // without vCPU times the exemption cannot apply
        Cpu unknown = (i, c) -> c == 1 && i >= 40 ? new CpuSnapshot(c, 1, 1L, 0L, 5_000_000L, 0L, null, null, null) : busy(i, c, 1, 0);
        assertThat(MonitorChecks.evaluate(series(60, 2, unknown), T, PREEMPT_NS).passed()).isFalse();
    }

    @Test
    void eventRatesUseTheSumOverCpusPerSecond() {
        // each of 2 CPUs adds 15 fallbacks per 100 ms → 300/s > 200/s from sample 30 on; keep-last 5/100 ms → 100/s, not above
        Cpu f = (i, c) -> withEvents(busy(i, c, 1, 0), i >= 30 ? 15L * (i - 29) : 0, 5L * i);
        MonitorVerdict v = MonitorChecks.evaluate(series(60, 2, f), T, PREEMPT_NS);
        assertThat(v.violations()).containsExactly(
                "select_cpu_fallback rate 300.0/s exceeded threshold 200.0/s for 30 consecutive samples (ending at sample 59)");
        assertThat(v.summary().totalFallback()).isEqualTo(2 * 15 * 30);
        assertThat(v.summary().totalKeepLast()).isEqualTo(2 * 5 * 39);
    }

    @Test
    void absentEventCountersAreNotViolations() {
        MonitorVerdict v = MonitorChecks.evaluate(series(60, 2, (i, c) -> busy(i, c, 1, 0)), T, PREEMPT_NS);
        assertThat(v.summary().totalFallback()).isZero();
        assertThat(MonitorChecks.eventDelta(series(2, 1, (i, c) -> busy(i, c, 1, 0)).get(0),
                series(2, 1, (i, c) -> busy(i, c, 1, 0)).get(1), "select_cpu_fallback")).isEqualTo(-1);
    }
}
