package dev.ktstr.vmm.monitor;

import dev.ktstr.vmm.btf.Btf;
import dev.ktstr.vmm.btf.BtfException;
import dev.ktstr.vmm.qemu.VcpuThread;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The host-side monitor of one VM: a thread that maps guest RAM, waits for the guest kernel to
 * boot, then samples every CPU's run queue each {@link MonitorConfig#interval()} until
 * {@link #stop()} or QEMU exits. It never pauses or signals the guest.
 */
public final class HostMonitor implements AutoCloseable {
    /** Give up after this many consecutive failed ticks (guest memory torn down, kernel wedged). */
    private static final int MAX_CONSECUTIVE_ERRORS = 50;

    private final MonitorConfig config;
    private final MonitorListener listener;
    private final Runnable threadSetup;
    private final Thread thread;
    private final List<MonitorSample> samples = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;
    private volatile MonitorLayout layout;
    private volatile GuestKernel kernel;
    private volatile int watchdogWrites;
    private volatile long watchdogJiffies = -1;
    private volatile int watchdogBridgeTicks;
    private long tickNsTotal;
    private long tickNsMax;
    private MonitorReport report;

    private HostMonitor(MonitorConfig config, MonitorListener listener, Runnable threadSetup) {
        this.config = config;
        this.listener = listener;
        this.threadSetup = threadSetup;
        this.thread = new Thread(this::run, "ktstr-monitor-" + config.qemuPid());
        thread.setDaemon(true);
    }

    public static HostMonitor start(MonitorConfig config, MonitorListener listener) {
        return start(config, listener, () -> { });
    }

    /**
     * @param threadSetup runs first on the monitor thread; performance mode passes
     *                    {@code () -> PerfMode.pinCurrentThread(plan, rt)} to put it on the service CPU
     */
    public static HostMonitor start(MonitorConfig config, MonitorListener listener, Runnable threadSetup) {
        HostMonitor m = new HostMonitor(config, listener == null ? MonitorListener.NONE : listener, threadSetup);
        m.thread.start();
        return m;
    }

    /** The host thread id of the monitor thread is not exposed by Java; the Java thread is. */
    public Thread thread() {
        return thread;
    }

    /** The attached kernel, once the guest booted (for one-off reads and writes by the owner). */
    public Optional<GuestKernel> kernel() {
        return Optional.ofNullable(kernel);
    }

    /** Samples so far (a copy). */
    public List<MonitorSample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** Stops sampling, unmaps guest RAM and returns the report. Idempotent. */
    public synchronized MonitorReport stop() {
        if (report != null) return report;
        stopping = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        GuestKernel k = kernel;
        int n;
        synchronized (samples) {
            n = samples.size();
        }
        report = new MonitorReport(samples(), Optional.ofNullable(layout), k == null ? "" : k.banner(),
                k == null ? KernelConfig.DEFAULT_HZ : k.hz(), k == null ? "not attached" : k.config().source(), List.copyOf(problems),
                watchdogWrites, watchdogJiffies, watchdogBridgeTicks, n == 0 ? 0 : tickNsTotal / n, tickNsMax);
        return report;
    }

    @Override
    public void close() {
        stop();
    }

    private boolean qemuAlive() {
        return ProcessHandle.of(config.qemuPid()).map(ProcessHandle::isAlive).orElse(false);
    }

    private void problem(String msg) {
        problems.add(msg);
        listener.problem(msg);
    }

    private void run() {
        GuestMemory mem = null;
        try {
            threadSetup.run();
            sleep(config.startDelay().toMillis());
            Btf btf = Btf.read(config.btf());
            KernelSymbols syms = KernelSymbols.read(config.systemMap());
            MonitorLayout lay = MonitorLayout.resolve(btf, syms);
            KernelConfig fallback = config.kernelConfig().isPresent() ? KernelConfig.read(config.kernelConfig().get()) : null;
            mem = GuestMemory.map(config.ram());
            if (!awaitRunning(mem, syms, btf)) return;
            GuestKernel k = GuestKernel.attach(mem, syms, btf, fallback);
            kernel = k;
            layout = lay;
            listener.attached(lay);
            RqSampler sampler = new RqSampler(k, lay, config.cpus());
            Optional<ScxWatchdog> watchdog = Optional.empty();
            if (config.watchdogTimeoutS().isPresent()) {
                watchdog = ScxWatchdog.locate(k);
                if (watchdog.isEmpty()) problem("watchdog override not applied: " + ScxWatchdog.absenceReason());
            }
            loop(k, sampler, watchdog);
        } catch (InterruptedException e) {
            // stopped
        } catch (IOException | BtfException | GuestMemoryException | RuntimeException e) {
            if (!stopping) problem("monitor stopped: " + e.getMessage());
        } finally {
            if (mem != null) {
                try {
                    mem.close();
                } catch (IOException ignored) {
                    // only fds
                }
            }
        }
    }

    /** Waits until the guest kernel reports SYSTEM_RUNNING (before that, per-CPU data is not set up). */
    private boolean awaitRunning(GuestMemory mem, KernelSymbols syms, Btf btf) throws InterruptedException, GuestMemoryException {
        long running;
        try {
            running = btf.enumValue("system_states", "SYSTEM_RUNNING");
        } catch (BtfException e) {
            throw new GuestMemoryException(e.getMessage());
        }
        long pa = syms.require("system_state") - KernelAddressSpace.START_KERNEL_MAP;
        long deadline = System.nanoTime() + config.bootWait().toNanos();
        while (!stopping) {
            if ((mem.readU32(pa) & 0xffffffffL) >= running) return true;
            if (!qemuAlive()) return false;
            if (System.nanoTime() > deadline) {
                problem("guest kernel did not reach SYSTEM_RUNNING within " + config.bootWait().toSeconds() + " s; no samples taken");
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private void loop(GuestKernel k, RqSampler sampler, Optional<ScxWatchdog> watchdog) throws InterruptedException {
        long periodNs = config.interval().toNanos();
        long t0 = System.nanoTime();
        VcpuClock[] clocks = new VcpuClock[config.cpus()];
        for (VcpuThread v : config.vcpus()) if (v.cpuIndex() < clocks.length) clocks[v.cpuIndex()] = new VcpuClock(config.qemuPid(), v.hostThreadId());
        try {
            loop(sampler, watchdog, clocks, t0, periodNs);
        } finally {
            for (VcpuClock c : clocks) if (c != null) c.close();
        }
    }

    private void loop(RqSampler sampler, Optional<ScxWatchdog> watchdog, VcpuClock[] clocks, long t0, long periodNs)
            throws InterruptedException {
        long next = t0;
        int errors = 0;
        String lastError = null;
        while (!stopping) {
            long start = System.nanoTime();
            if (!qemuAlive()) return;
            try {
                long[] times = new long[clocks.length];
                for (int i = 0; i < clocks.length; i++) times[i] = clocks[i] == null ? -1 : clocks[i].read();
                List<CpuSnapshot> cpus = sampler.sample(times);
                long cost = System.nanoTime() - start;
                MonitorSample s;
                synchronized (samples) {
                    s = new MonitorSample(samples.size(), (start - t0) / 1_000_000, cost, cpus);
                    samples.add(s);
                    tickNsTotal += cost;
                    tickNsMax = Math.max(tickNsMax, cost);
                }
                listener.sample(s);
                if (watchdog.isPresent()) applyWatchdog(watchdog.get());
                errors = 0;
            } catch (GuestMemoryException | RuntimeException e) {
                if (!e.getMessage().equals(lastError)) problem("sample failed: " + e.getMessage());
                lastError = e.getMessage();
                if (++errors >= MAX_CONSECUTIVE_ERRORS) {
                    problem("monitor gave up after " + errors + " consecutive failed samples");
                    return;
                }
            }
            next += periodNs;
            long now = System.nanoTime();
            if (next < now) next = now; // a slow tick (host contention) shifts the schedule, no burst to catch up
            else TimeUnit.NANOSECONDS.sleep(next - now);
        }
    }

    private void applyWatchdog(ScxWatchdog w) throws GuestMemoryException {
        if (!w.schedulerEnabled()) return;
        double secs = config.watchdogTimeoutS().getAsDouble();
        long want = w.jiffiesFor(secs);
        OptionalLong cur = w.readJiffies();
        if (cur.isPresent() && cur.getAsLong() != want) {
            watchdogJiffies = w.write(secs);
            watchdogWrites++;
        }
        // margin: three sampling periods of host jitter
        long margin = Math.max(1, 3 * config.interval().toMillis() * kernel.hz() / 1000);
        if (w.bridge(secs, margin)) watchdogBridgeTicks++;
    }

    private static void sleep(long ms) throws InterruptedException {
        if (ms > 0) Thread.sleep(ms);
    }
}
