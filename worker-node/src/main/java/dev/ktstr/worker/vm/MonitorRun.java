package dev.ktstr.worker.vm;

import dev.ktstr.scenario.verify.Assert;
import dev.ktstr.vmm.monitor.CpuSnapshot;
import dev.ktstr.vmm.monitor.GuestKernel;
import dev.ktstr.vmm.monitor.GuestMemoryException;
import dev.ktstr.vmm.monitor.HostMonitor;
import dev.ktstr.vmm.monitor.MonitorChecks;
import dev.ktstr.vmm.monitor.MonitorConfig;
import dev.ktstr.vmm.monitor.MonitorListener;
import dev.ktstr.vmm.monitor.MonitorReport;
import dev.ktstr.vmm.monitor.MonitorSample;
import dev.ktstr.vmm.monitor.MonitorThresholds;
import dev.ktstr.vmm.monitor.MonitorVerdict;
import dev.ktstr.vmm.monitor.ScxWatchdog;
import dev.ktstr.vmm.qemu.QemuVm;
import dev.ktstr.worker.JobProgress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The host monitor of one VM boot as the VM executor uses it: starts {@link HostMonitor}, stamps
 * every sample with host time and whether a sched_ext scheduler was enabled at that moment (so the
 * checks judge the scheduler, not the guest's boot, and the watchdog ejection can be timed), and
 * forwards live numbers to {@link JobProgress}.
 */
final class MonitorRun implements MonitorListener {
    /** One sample with the host time it arrived and the scheduler state read on the same tick. */
    record Tick(MonitorSample sample, long hostNanos, boolean scxEnabled) {}

    private final JobProgress progress;
    private final List<Tick> ticks = Collections.synchronizedList(new ArrayList<>());
    private volatile HostMonitor monitor;
    private ScxWatchdog watchdog;
    private boolean watchdogLocated;
    private volatile long scxEnabledAtNanos = -1;
    private volatile long scxDisabledAtNanos = -1;
    private MonitorReport report;
    /** Live check: on the first violation while sched_ext is enabled, this runs once (SysRq-D in the guest). */
    private volatile MonitorThresholds liveThresholds;
    private volatile java.util.function.Consumer<String> onViolation;
    private volatile String firstViolation;
    private int sinceLiveCheck;

    /** How often (in samples) the live check re-evaluates the samples so far. */
    static final int LIVE_CHECK_EVERY = 10;

    MonitorRun(JobProgress progress) {
        this.progress = progress;
    }

    /**
     * @param watchdogTimeoutS applied while a sched_ext scheduler is enabled; empty for EEVDF
     * @param threadSetup      runs first on the monitor thread (performance mode pins it)
     */
    static MonitorRun start(QemuVm vm, Path systemMap, Path btf, OptionalDouble watchdogTimeoutS, JobProgress progress,
                            Runnable threadSetup) throws IOException {
        // forVm waits for QMP, which answers only once QEMU created the RAM files
        MonitorConfig config = MonitorConfig.forVm(vm, systemMap, btf, Optional.empty());
        if (watchdogTimeoutS.isPresent()) config = config.withWatchdogTimeout(watchdogTimeoutS.getAsDouble());
        MonitorRun run = new MonitorRun(progress);
        run.monitor = HostMonitor.start(config, run, threadSetup);
        return run;
    }

    @Override
    public void sample(MonitorSample s) {
        boolean enabled = scxEnabled();
        long now = System.nanoTime();
        if (enabled && scxEnabledAtNanos < 0) scxEnabledAtNanos = now;
        if (!enabled && scxEnabledAtNanos >= 0 && scxDisabledAtNanos < 0) scxDisabledAtNanos = now;
        ticks.add(new Tick(s, now, enabled));
        long max = 0;
        long total = 0;
        for (CpuSnapshot c : s.cpus()) {
            max = Math.max(max, c.nrRunning());
            total += c.nrRunning();
        }
        progress.sample("monitor.nr_running.max", max);
        progress.sample("monitor.nr_running.total", total);
        if (enabled && onViolation != null && firstViolation == null && ++sinceLiveCheck >= LIVE_CHECK_EVERY) {
            sinceLiveCheck = 0;
            liveCheck();
        }
    }

    /**
     * Runs {@code action} once, with the violation, as soon as the checks find one in the samples taken
     * so far while sched_ext was enabled: the scheduler's state is dumped while it is still wrong,
     * not after the run. A violation in a prefix of the samples is one in all of them, so the dump
     * always belongs to a monitor failure (when the checks run at all).
     */
    void onFirstViolation(Assert a, java.util.function.Consumer<String> action) {
        this.liveThresholds = thresholds(a);
        this.onViolation = action;
    }

    /** The violation that triggered {@link #onFirstViolation}'s action, null when none did. */
    String firstViolation() {
        return firstViolation;
    }

    private void liveCheck() {
        Optional<GuestKernel> k = monitor == null ? Optional.empty() : monitor.kernel();
        if (k.isEmpty()) return;
        List<MonitorSample> s = ticks().stream().filter(Tick::scxEnabled).map(Tick::sample).toList();
        MonitorVerdict v = MonitorChecks.evaluate(s, liveThresholds, k.get().preemptionThresholdNs());
        if (v.violations().isEmpty()) return;
        firstViolation = v.violations().get(0);
        onViolation.accept(firstViolation);
    }

    private boolean scxEnabled() {
        HostMonitor m = monitor;
        if (!watchdogLocated && m != null) {
            Optional<GuestKernel> k = m.kernel();
            if (k.isPresent()) {
                watchdog = ScxWatchdog.locate(k.get()).orElse(null);
                watchdogLocated = true;
            }
        }
        if (watchdog == null) return false;
        try {
            return watchdog.schedulerEnabled();
        } catch (GuestMemoryException e) {
            return false;
        }
    }

    /** Stops sampling and unmaps guest RAM; call before the VM is closed. Idempotent. */
    synchronized MonitorReport stop() {
        if (report == null) report = monitor.stop();
        return report;
    }

    List<Tick> ticks() {
        synchronized (ticks) {
            return List.copyOf(ticks);
        }
    }

    /** Whether a sched_ext scheduler was seen enabled on any sample. */
    boolean scxSeen() {
        return scxEnabledAtNanos >= 0;
    }

    /** Host ms from the first sample with the scheduler enabled to the first one without it; -1 if it never left. */
    long scxEnabledForMs() {
        return scxEnabledAtNanos < 0 || scxDisabledAtNanos < 0 ? -1 : (scxDisabledAtNanos - scxEnabledAtNanos) / 1_000_000;
    }

    /**
     * The monitor checks over the samples taken while the sched_ext scheduler was enabled (the
     * guest's boot and JVM start before attach are not the scheduler's doing).
     */
    MonitorVerdict evaluate(Assert a) {
        List<MonitorSample> s = ticks().stream().filter(Tick::scxEnabled).map(Tick::sample).toList();
        return MonitorChecks.evaluate(s, thresholds(a), stop().preemptionThresholdNs());
    }

    /** TCG sustained window: 3 s of samples, like {@code ScxTcg} in the examples. */
    static final int TCG_SUSTAINED_SAMPLES = 30;

    /**
     * Under TCG a vCPU thread is descheduled on the host for hundreds of milliseconds at a time,
     * which the 5-sample (500 ms) window of the defaults reports as rq-clock stalls and imbalance
     * (measured: a healthy scx_qmap run flagged "rq_clock stall on cpu0 for 5 consecutive samples").
     * Unless the test set its own window, TCG runs use a 3 s window; the spec default stays for KVM.
     */
    static Assert forAccelerator(Assert a, dev.ktstr.vmm.qemu.Accel accel) {
        Integer def = Assert.defaultChecks().sustainedSamples();
        if (accel == dev.ktstr.vmm.qemu.Accel.TCG && (a.sustainedSamples() == null || a.sustainedSamples().equals(def))) {
            return a.withSustainedSamples(TCG_SUSTAINED_SAMPLES);
        }
        return a;
    }

    static MonitorThresholds thresholds(Assert a) {
        MonitorThresholds d = MonitorThresholds.DEFAULTS;
        return new MonitorThresholds(
                a.maxImbalanceRatio() != null ? a.maxImbalanceRatio() : d.maxImbalanceRatio(),
                a.maxLocalDsqDepth() != null ? a.maxLocalDsqDepth() : d.maxLocalDsqDepth(),
                a.failOnStall() != null ? a.failOnStall() : d.failOnStall(),
                a.sustainedSamples() != null ? a.sustainedSamples() : d.sustainedSamples(),
                a.maxFallbackRate() != null ? a.maxFallbackRate() : d.maxFallbackRate(),
                a.maxKeepLastRate() != null ? a.maxKeepLastRate() : d.maxKeepLastRate(),
                d.warmupSamples());
    }

    /**
     * Per-CPU nr_running before the scenario started (boot, idle) and while it ran, so a sidecar
     * shows the load arriving on each CPU. Window edges are host nanos; -1 = unknown, in which case
     * the whole run counts as "during".
     */
    Map<String, Double> nrRunningMetrics(long scenarioStartNanos, long scenarioEndNanos) {
        List<Tick> all = ticks();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("samples", (double) all.size());
        if (all.isEmpty()) return m;
        int cpus = all.get(0).sample().cpus().size();
        double[] beforeSum = new double[cpus];
        double[] duringSum = new double[cpus];
        long[] duringMax = new long[cpus];
        int before = 0;
        int during = 0;
        for (Tick t : all) {
            boolean isBefore = scenarioStartNanos >= 0 && t.hostNanos() < scenarioStartNanos;
            boolean isAfter = scenarioEndNanos >= 0 && t.hostNanos() > scenarioEndNanos;
            if (isAfter) continue;
            if (isBefore) before++;
            else during++;
            for (CpuSnapshot c : t.sample().cpus()) {
                if (c.cpu() < 0 || c.cpu() >= cpus) continue;
                if (isBefore) {
                    beforeSum[c.cpu()] += c.nrRunning();
                } else {
                    duringSum[c.cpu()] += c.nrRunning();
                    duringMax[c.cpu()] = Math.max(duringMax[c.cpu()], c.nrRunning());
                }
            }
        }
        m.put("samples_before_scenario", (double) before);
        m.put("samples_during_scenario", (double) during);
        for (int c = 0; c < cpus; c++) {
            if (before > 0) m.put("cpu" + c + ".nr_running.before_mean", round(beforeSum[c] / before));
            if (during > 0) {
                m.put("cpu" + c + ".nr_running.during_mean", round(duringSum[c] / during));
                m.put("cpu" + c + ".nr_running.during_max", (double) duringMax[c]);
            }
        }
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
