package dev.ktstr.guest.agent;

import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.guest.Deadlines;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.guest.SchedExtExit;
import dev.ktstr.protocol.guest.SchedulerLaunch;
import dev.ktstr.protocol.guest.WatchdogEvent;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the scheduler under test, confirms it attached (spec §1.3/§10.5: liveness polled every
 * 50 ms for 1 s, then /sys/kernel/sched_ext/state polled for "enabled" for 3 s), watches it
 * while the test runs (process exit, or the kernel ejecting it: state back to "disabled", or a
 * "sched_ext: ... disabled" kernel message), and stops it at the end. The first death is sent
 * once as SCHED_EXIT with the tail of the scheduler's log.
 */
public final class SchedulerSupervisor implements AutoCloseable {
    public static final Path SCHED_EXT = Path.of("/sys/kernel/sched_ext");
    private static final long POLL_MS = 50;

    private final SchedulerLaunch launch;
    private final Deadlines deadlines;
    private final FrameSink sink;
    private final Path logFile;
    private final Path sysfs;
    private final List<String> kernelLines = new ArrayList<>();
    private volatile Process process;
    private Thread monitor;
    /** How long an ejected scheduler gets to print its exit report before the log tail is taken. */
    static final long EXIT_REPORT_GRACE_MS = 3000;
    private volatile SchedExit death;
    /** sched_ext reached "enabled" with this scheduler's ops: from here on an exit is the scheduler's own. */
    private volatile boolean attached;
    /** The sched_ext_dump tracepoint was switched on (real guest only): its events hold the kernel's debug dump. */
    private boolean dumpTraced;
    static final Path TRACING = Path.of("/sys/kernel/tracing");
    static final int DUMP_TRACE_BUFFER_KB = 256;
    private volatile boolean stopping;
    /** Work-conservation watchdog firings, in order, capped: the first explains a death, the count says how often. */
    private final List<WatchdogEvent> watchdogEvents = new ArrayList<>();
    private int watchdogFirings;
    static final int WATCHDOG_EVENTS_KEPT = 16;
    /**
     * A worker signals first and reports after (it runs in another process), so a scheduler dead of
     * SIGUSR2 with no event recorded yet gets this long for the report to arrive.
     */
    static final long WATCHDOG_REPORT_GRACE_MS = 2000;

    public SchedulerSupervisor(SchedulerLaunch launch, Deadlines deadlines, FrameSink sink, Path logFile, Path sysfs) {
        this.launch = launch;
        this.deadlines = deadlines;
        this.sink = sink;
        this.logFile = logFile;
        this.sysfs = sysfs;
    }

    /** Starts and waits for attachment; returns null on success, else the SchedExit already sent. */
    public SchedExit start() throws InterruptedException {
        if (launch.cgroupParent() != null) {
            try {
                Files.createDirectories(Path.of("/sys/fs/cgroup" + launch.cgroupParent()));
            } catch (IOException e) {
                return fail(SchedExit.Reason.START_FAILED, -1, "cannot create cgroup parent " + launch.cgroupParent() + ": " + e.getMessage());
            }
        }
        String enableErr = runCommands(launch.enableCommands(), "enable");
        if (enableErr != null) return fail(SchedExit.Reason.START_FAILED, -1, enableErr);
        if (launch.kind() == SchedulerLaunch.Kind.KERNEL_BUILTIN) return null;

        List<String> argv = new ArrayList<>();
        argv.add(launch.binaryPath());
        argv.addAll(launch.args());
        try {
            Files.createDirectories(logFile.getParent());
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(logFile.toFile());
            process = pb.start();
        } catch (IOException e) {
            return fail(SchedExit.Reason.START_FAILED, -1, "cannot start " + argv + ": " + e.getMessage());
        }
        startKernelLogReader();
        dumpTraced = enableDumpTrace();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlines.schedLivenessMs());
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                return fail(SchedExit.Reason.EXITED, process.exitValue(), "scheduler " + SchedulerDeathAccount.exitStatus(process.exitValue())
                        + " within " + deadlines.schedLivenessMs() + " ms of its start");
            }
            Thread.sleep(POLL_MS);
        }
        end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlines.schedAttachMs());
        while (true) {
            if (!process.isAlive()) {
                return fail(SchedExit.Reason.EXITED, process.exitValue(), "scheduler " + SchedulerDeathAccount.exitStatus(process.exitValue())
                        + " before it attached");
            }
            if ("enabled".equals(state()) && opsName() != null) break;
            if (System.nanoTime() >= end) {
                return fail(SchedExit.Reason.NOT_ATTACHED, -1, notAttached(launch.name(), deadlines, state(), logTail(ATTACH_LOG_LINES)));
            }
            Thread.sleep(POLL_MS);
        }
        attached = true;
        sink.log("scheduler " + launch.name() + " attached as '" + opsName() + "' (pid " + process.pid() + ")");
        reportBpfPrograms();
        monitor = new Thread(this::watch, "sched-monitor");
        monitor.setDaemon(true);
        monitor.start();
        return null;
    }

    /**
     * Sends the BPF programs loaded now that the scheduler is enabled (its struct_ops callbacks among
     * them) with their verifier cost. A failure to list them costs the test nothing but the stats.
     */
    private void reportBpfPrograms() {
        try {
            dev.ktstr.guest.sys.BpfProgs.Listing l = dev.ktstr.guest.sys.BpfProgs.list();
            if (l.error() != null) sink.log("BPF program listing incomplete: " + l.error());
            sink.json(FrameType.BPF_PROGRAMS, l.programs());
        } catch (RuntimeException | LinkageError e) {
            sink.log("BPF programs not listed: " + e);
        }
    }

    /** Log lines quoted in a NOT_ATTACHED detail: enough to show where initialisation stood. */
    static final int ATTACH_LOG_LINES = 5;

    /**
     * The NOT_ATTACHED account: which window ran out, what the kernel said, where the scheduler's
     * own output stood, and how to give it longer.
     */
    static String notAttached(String name, Deadlines d, String state, String lastLines) {
        String tail = lastLines == null || lastLines.isBlank() ? "it was still initialising and had printed nothing"
                : "it was still initialising: " + String.join(" | ", lastLines.strip().lines().toList());
        return name + " did not reach enabled within " + seconds(d.schedAttachMs()) + " after its " + seconds(d.schedLivenessMs())
                + " liveness window (" + (state == null ? "no sched_ext state file" : "sched_ext state '" + state + "'") + "); " + tail
                + ". A slow-attaching scheduler gets longer with Scheduler.builder(..).attachTimeout(..) or @KtstrTest(attachTimeoutS = ..)";
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private void watch() {
        while (!stopping && death == null) {
            check();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Polls once; true while the scheduler is in charge. Always true for kernel built-ins. */
    public synchronized boolean check() {
        if (death != null) return false;
        if (process == null || stopping) return true;
        if (!process.isAlive()) {
            int code = process.exitValue();
            fail(SchedExit.Reason.EXITED, code, withWatchdog("the scheduler process " + SchedulerDeathAccount.exitStatus(code)
                    + " during the test" + kernelDetail(), code));
            return false;
        }
        String s = state();
        if (s != null && !s.equals("enabled")) {
            awaitExitReport();
            fail(SchedExit.Reason.EJECTED, exitCode(), withWatchdog("sched_ext state went to '" + s + "'" + processState() + kernelDetail(), exitCode()));
            return false;
        }
        if (kernelSaysDisabled()) {
            awaitExitReport();
            fail(SchedExit.Reason.EJECTED, exitCode(), withWatchdog("the kernel disabled the BPF scheduler" + processState() + kernelDetail(), exitCode()));
            return false;
        }
        return true;
    }

    /**
     * An ejected scheduler's user space notices within about a second, prints the kernel's exit
     * reason (scx_bpf_error message, stall) and exits: wait for that so the log tail and the kernel
     * detail carry the reason instead of the last routine stats line.
     */
    private void awaitExitReport() {
        try {
            process.waitFor(EXIT_REPORT_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    private String processState() {
        return process.isAlive() ? " while the scheduler process runs" : "; the scheduler process then " + SchedulerDeathAccount.exitStatus(process.exitValue());
    }

    public boolean alive() {
        return check();
    }

    public int pid() {
        return process == null ? -1 : (int) process.pid();
    }

    public SchedExit death() {
        return death;
    }

    /**
     * The harness's work-conservation watchdog sent SIGUSR2 to the scheduler (called from worker
     * threads, hence synchronized on the list): a death that follows is reported as its doing.
     * Events signalling another pid are ignored.
     */
    public void recordWatchdog(WatchdogEvent e) {
        if (e == null || (process != null && e.schedulerPid() != 0 && e.schedulerPid() != process.pid())) return;
        synchronized (watchdogEvents) {
            watchdogFirings++;
            if (watchdogEvents.size() < WATCHDOG_EVENTS_KEPT) watchdogEvents.add(e);
            watchdogEvents.notifyAll();
        }
        sink.log("work-conservation watchdog: SIGUSR2 to scheduler " + launch.name() + " " + SchedulerDeathAccount.event(e));
    }

    /** The watchdog firings recorded so far (at most {@value #WATCHDOG_EVENTS_KEPT}). */
    public List<WatchdogEvent> watchdogEvents() {
        synchronized (watchdogEvents) {
            return List.copyOf(watchdogEvents);
        }
    }

    private String withWatchdog(String detail, int exitStatus) {
        List<WatchdogEvent> events;
        int firings;
        synchronized (watchdogEvents) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WATCHDOG_REPORT_GRACE_MS);
            long left;
            while (watchdogEvents.isEmpty() && SchedulerDeathAccount.signal(exitStatus) == SchedulerDeathAccount.SIGUSR2
                    && (left = end - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(watchdogEvents, left);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            events = List.copyOf(watchdogEvents);
            firings = watchdogFirings;
        }
        return SchedulerDeathAccount.explain(detail, exitStatus, events, firings);
    }

    /** Stops the scheduler (SIGTERM, 2 s, SIGKILL) and runs the disable commands. */
    public void stop() {
        stopping = true;
        if (monitor != null) monitor.interrupt();
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            if (death == null) {
                sink.json(FrameType.SCHED_EXIT, new SchedExit(SchedExit.Reason.STOPPED, process.isAlive() ? -1 : process.exitValue(), state(),
                        "stopped by the agent at the end of the test", logTail(40), wholeLog(), AgentClock.uptimeMs(), attached, account()));
            }
        }
        String err = runCommands(launch.disableCommands(), "disable");
        if (err != null) sink.log("scheduler disable: " + err);
    }

    @Override
    public void close() {
        stop();
    }

    private SchedExit fail(SchedExit.Reason reason, int code, String detail) {
        if (death != null) return death;
        SchedExit e = new SchedExit(reason, code, state(), detail, logTail(40), wholeLog(), AgentClock.uptimeMs(), attached, account());
        death = e;
        sink.json(FrameType.SCHED_EXIT, e);
        return e;
    }

    /** sched_ext's account of the exit from the scheduler's log, the kernel lines and the dump trace; null when there is none. */
    private SchedExtExit account() {
        List<String> kl;
        synchronized (kernelLines) {
            kl = List.copyOf(kernelLines);
        }
        return SchedExtExit.parse(wholeLog(), kl, dumpTraced ? readDumpTrace() : null);
    }

    /**
     * Switches on the sched_ext_dump tracepoint (6.12 has it; the kernel writes its exit dump and
     * SysRq-D's dump there, also for a scheduler whose user space prints no DEBUG DUMP). Only in the
     * real guest: a test's fake sysfs must not touch the host's tracing.
     */
    private boolean enableDumpTrace() {
        if (!sysfs.equals(SCHED_EXT)) return false;
        Path enable = TRACING.resolve("events/sched_ext/sched_ext_dump/enable");
        try {
            if (!Files.exists(enable)) return false;
            // the ring buffer grows to its default 1.4 MB per CPU on first use: a dump is tens of KB
            // on one CPU, and a 64-vCPU guest should not give 90 MB of its memory to tracing
            Files.writeString(TRACING.resolve("buffer_size_kb"), Integer.toString(DUMP_TRACE_BUFFER_KB));
            Files.writeString(enable, "1");
            return true;
        } catch (IOException e) {
            sink.log("sched_ext_dump trace not enabled: " + e.getMessage());
            return false;
        }
    }

    private static String readDumpTrace() {
        try {
            return SchedExtExit.traceDumpLines(Files.readString(TRACING.resolve("trace")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public String state() {
        try {
            return Files.readString(sysfs.resolve("state")).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private String opsName() {
        try {
            String s = Files.readString(sysfs.resolve("root/ops")).trim();
            return s.isEmpty() ? null : s;
        } catch (IOException e) {
            return null;
        }
    }

    /** The whole log, or its last {@link SchedExit#LOG_CAP_BYTES} bytes with a note saying so. */
    public String wholeLog() {
        try {
            if (!Files.exists(logFile)) return "";
            byte[] all = Files.readAllBytes(logFile);
            if (all.length <= SchedExit.LOG_CAP_BYTES) return new String(all, StandardCharsets.UTF_8);
            int from = all.length - SchedExit.LOG_CAP_BYTES;
            return "(scheduler log is " + all.length + " bytes; its first " + from + " bytes are not kept)\n"
                    + new String(all, from, SchedExit.LOG_CAP_BYTES, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(scheduler log unreadable: " + e.getMessage() + ")";
        }
    }

    public String logTail(int lines) {
        try {
            if (!Files.exists(logFile)) return "";
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(scheduler log unreadable: " + e.getMessage() + ")";
        }
    }

    /** A "sched_ext: BPF scheduler ... disabled (reason)" kernel line seen since the start. */
    private boolean kernelSaysDisabled() {
        synchronized (kernelLines) {
            for (String l : kernelLines) if (l.contains("disabled") && l.contains("BPF scheduler")) return true;
        }
        return false;
    }

    private String kernelDetail() {
        synchronized (kernelLines) {
            List<String> said = kernelLines.stream().filter(l -> !l.isEmpty() && !Character.isWhitespace(l.charAt(0))).toList(); // backtraces go in the account
            return said.isEmpty() ? "" : "; kernel: " + String.join(" | ", said);
        }
    }

    static final int KERNEL_LINES_KEPT = 64;
    private boolean afterDisabled;

    /** Collects sched_ext lines from /dev/kmsg (e.g. "sched_ext: BPF scheduler "x" disabled (runnable task stall)"). */
    private void startKernelLogReader() {
        Path kmsg = Path.of("/dev/kmsg");
        if (!Files.isReadable(kmsg)) return;
        long sinceUs = Math.max(0, AgentClock.uptimeMs() - 1_000) * 1_000L; // older records belong to earlier boots' history
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = new FileInputStream(kmsg.toFile())) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    String rec = new String(buf, 0, n, StandardCharsets.UTF_8);
                    int semi = rec.indexOf(';');
                    String msg = (semi >= 0 ? rec.substring(semi + 1) : rec).lines().findFirst().orElse("").stripTrailing();
                    if (recordTimeUs(rec) < sinceUs) continue;
                    boolean schedExt = msg.contains("sched_ext");
                    // the backtrace of an error exit follows its "disabled" line, indented, and mostly does not say sched_ext
                    boolean backtrace = !msg.isEmpty() && Character.isWhitespace(msg.charAt(0)) && afterDisabled;
                    if (schedExt) afterDisabled = msg.contains("BPF scheduler") && msg.contains("disabled") || afterDisabled && msg.contains(": ");
                    if (schedExt || backtrace) {
                        synchronized (kernelLines) {
                            if (kernelLines.size() < KERNEL_LINES_KEPT) kernelLines.add(msg);
                        }
                    }
                }
            } catch (IOException ignored) {
                // kmsg is best effort: the sysfs state is the primary signal
            }
        }, "kmsg-reader");
        t.setDaemon(true);
        t.start();
    }

    /** The timestamp field of a /dev/kmsg record "prio,seq,usec,flags;text" (0 when unparseable). */
    static long recordTimeUs(String rec) {
        String[] f = rec.split("[,;]", 5);
        try {
            return f.length >= 3 ? Long.parseLong(f[2]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Runs shell commands with a 10 s bound each; returns an error text or null. */
    static String runCommands(List<String> cmds, String what) {
        for (String c : cmds) {
            try {
                Process p = new ProcessBuilder("/bin/sh", "-c", c).redirectErrorStream(true).start();
                boolean done = p.waitFor(10, TimeUnit.SECONDS);
                String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
                if (!done) {
                    p.destroyForcibly();
                    return what + " command '" + c + "' did not finish within 10 s";
                }
                if (p.exitValue() != 0) return what + " command '" + c + "' exited " + p.exitValue() + (out.isEmpty() ? "" : ": " + out);
            } catch (IOException e) {
                return what + " command '" + c + "' could not run: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return what + " command '" + c + "' interrupted";
            }
        }
        return null;
    }
}
