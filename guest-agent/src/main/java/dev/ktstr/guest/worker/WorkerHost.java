package dev.ktstr.guest.worker;

import dev.ktstr.scenario.report.ExitInfo;
import dev.ktstr.scenario.report.WorkerReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The agent's side of one worker host process ({@link WorkerHostMain}): start it (possibly ahead
 * of need), hand it a launch, wait for each worker's READY, release, stop, collect each report (or
 * build a sentinel saying why there is none), kill.
 */
public final class WorkerHost {
    /** A host's WATCHDOG line, decoded (the agent turns it into a typed frame). */
    public record Watchdog(int index, int tid, long gapMs, int cpu, long thresholdMs, long guestUptimeMs) {}

    /** Where the WATCHDOG lines of every host go. */
    public interface WatchdogListener {
        void fired(WorkerHost host, Watchdog event);
    }

    private final Process process;
    private final Path stderrFile;
    private final OutputStream control;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<Long> warm = new CompletableFuture<>();
    private volatile WatchdogListener watchdogListener;
    private volatile HostLaunch launch;
    private volatile CompletableFuture<int[]>[] ready;
    private volatile CompletableFuture<String>[] reports;
    private volatile String[] failures;
    private volatile String hostFailure;
    private volatile String killedBecause;
    private volatile String warmDetail = "not warm";

    private WorkerHost(Process process, Path stderrFile) {
        this.process = process;
        this.stderrFile = stderrFile;
        this.control = process.getOutputStream();
        Thread reader = new Thread(this::readStdout, "host-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a host JVM; it warms up and then waits for {@link #launch}. */
    public static WorkerHost start(WorkerCommand cmd, Path stderrFile) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd.argv());
        pb.redirectError(stderrFile.toFile());
        return new WorkerHost(pb.start(), stderrFile);
    }

    public int pid() {
        return (int) process.pid();
    }

    public void onWatchdog(WatchdogListener l) {
        this.watchdogListener = l;
    }

    /** True once the JVM said it is warm (it may still be waiting for a launch). */
    public boolean warm() {
        return warm.isDone() && !warm.isCompletedExceptionally();
    }

    /** Milliseconds from start to warm (the host's start cost), or -1 if not warm yet. */
    public long warmAfterMs() {
        Long at = warm.getNow(null);
        return at == null ? -1 : (at - startNanos) / 1_000_000;
    }

    @SuppressWarnings("unchecked")
    public synchronized void launch(HostLaunch l, Path launchFile) throws IOException {
        if (launch != null) throw new IllegalStateException("worker host " + pid() + " was launched already");
        int n = l.workers().size();
        ready = new CompletableFuture[n];
        reports = new CompletableFuture[n];
        failures = new String[n];
        for (int i = 0; i < n; i++) {
            ready[i] = new CompletableFuture<>();
            reports[i] = new CompletableFuture<>();
        }
        launch = l;
        java.nio.file.Files.write(launchFile, HostCodec.encode(l));
        write(launchFile.toAbsolutePath() + "\n");
        if (!process.isAlive()) failAll("worker host " + pid() + " exited before its launch" + exitText());
    }

    /** How the host's start went (for the spawn log line). */
    public String startDetail() {
        return "host " + pid() + ": " + warmDetail + (warm() ? " (" + warmAfterMs() + " ms after its start)" : "");
    }

    public HostLaunch launched() {
        return launch;
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) accept(line);
        } catch (IOException | RuntimeException e) {
            hostFailure = hostFailure == null ? "reading worker host output failed: " + e.getMessage() : hostFailure;
        } finally {
            warm.completeExceptionally(new IllegalStateException("worker host output ended"));
            failAll(null);
        }
    }

    private void accept(String line) {
        try {
            if (line.startsWith(HostProtocol.HOST)) {
                String[] f = line.substring(HostProtocol.HOST.length()).trim().split(" ");
                if (f.length >= 3) warmDetail = "JVM main after " + f[2] + " ms, warm after " + f[1] + " ms of JVM uptime"
                        + (f.length >= 4 ? " [" + f[3] + "]" : "");
                warm.complete(System.nanoTime());
            } else if (line.startsWith(HostProtocol.READY)) {
                String[] f = line.substring(HostProtocol.READY.length()).trim().split(" ");
                int idx = Integer.parseInt(f[0]);
                if (ready != null && idx >= 0 && idx < ready.length) {
                    ready[idx].complete(new int[] {Integer.parseInt(f[1]), f.length > 2 ? Integer.parseInt(f[2]) : -1});
                }
            } else if (line.startsWith(HostProtocol.REPORT)) {
                String rest = line.substring(HostProtocol.REPORT.length());
                int sp = rest.indexOf(' ');
                int idx = Integer.parseInt(rest.substring(0, sp));
                if (reports != null && idx >= 0 && idx < reports.length) reports[idx].complete(rest.substring(sp + 1));
            } else if (line.startsWith(HostProtocol.FAILED)) {
                String rest = line.substring(HostProtocol.FAILED.length());
                int sp = rest.indexOf(' ');
                int idx = Integer.parseInt(sp < 0 ? rest : rest.substring(0, sp));
                String text = sp < 0 ? "" : rest.substring(sp + 1);
                if (idx < 0 || failures == null || idx >= failures.length) {
                    hostFailure = text;
                } else {
                    failures[idx] = text;
                    ready[idx].completeExceptionally(new IllegalStateException(text));
                    reports[idx].completeExceptionally(new IllegalStateException(text));
                }
            } else if (line.startsWith(HostProtocol.WATCHDOG)) {
                String[] f = line.substring(HostProtocol.WATCHDOG.length()).trim().split(" ");
                WatchdogListener l = watchdogListener;
                if (l != null && f.length >= 6) {
                    l.fired(this, new Watchdog(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                            Long.parseLong(f[4]), Long.parseLong(f[5])));
                }
            }
        } catch (RuntimeException e) {
            // a malformed protocol line (or a JVM message that happens to start like one): ignore it
        }
    }

    private void failAll(String why) {
        CompletableFuture<int[]>[] rd = ready;
        CompletableFuture<String>[] rp = reports;
        if (rd == null) return;
        IllegalStateException e = new IllegalStateException(why == null ? "worker host output ended" : why);
        for (CompletableFuture<int[]> f : rd) f.completeExceptionally(e);
        for (CompletableFuture<String> f : rp) f.completeExceptionally(e);
    }

    /** Thread id of worker {@code idx} once it is ready, else -1. */
    public int tid(int idx) {
        int[] r = ready == null ? null : ready[idx].getNow(null);
        return r == null ? -1 : r[0];
    }

    /** Waits for READY of every worker; returns null when all are ready, else why not (with the stderr tail). */
    public String awaitReady(long deadlineNanos) {
        for (int i = 0; i < ready.length; i++) {
            try {
                ready[i].get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return "worker host " + pid() + " (" + ready.length + " worker(s)) not ready before the deadline"
                        + (warm() ? " (warm after " + warmAfterMs() + " ms)" : " (its JVM never came up)")
                        + "; raise Deadlines.workerReadyMs" + stderrTail();
            } catch (ExecutionException | InterruptedException e) {
                waitExit(500);
                String f = failures[i] != null ? failures[i] : hostFailure;
                return "worker " + i + " of host " + pid() + " did not start" + exitText() + (f != null ? ": " + f : "") + stderrTail();
            }
        }
        return null;
    }

    /** Phase 2 for the given workers (one write). */
    public void release(List<Integer> indices) {
        StringBuilder b = new StringBuilder();
        for (int i : indices) b.append(HostProtocol.RELEASE).append(' ').append(i).append('\n');
        if (!write(b.toString())) hostFailure = "release failed: the worker host is gone";
    }

    public void requestStop(List<Integer> indices) {
        StringBuilder b = new StringBuilder();
        for (int i : indices) b.append(HostProtocol.STOP).append(' ').append(i).append('\n');
        write(b.toString());
    }

    /** The report of worker {@code idx}, waiting until {@code deadlineNanos}; a sentinel when there is none. Does not kill. */
    public WorkerReport collect(int idx, long deadlineNanos) {
        WorkerLaunch w = launch.workers().get(idx);
        String json;
        try {
            json = reports[idx].get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return sentinel(w, idx, ExitInfo.timedOut());
        } catch (ExecutionException | InterruptedException e) {
            waitExit(200);
            // the worker's thread ended without a report and said why (e.g. stopped before release)
            if (failures[idx] != null) return sentinel(w, idx, new ExitInfo(ExitInfo.Kind.EXITED, 0, failures[idx]));
            if (process.isAlive()) return sentinel(w, idx, ExitInfo.waitFailed("output closed while the host still runs" + stderrTail()));
            return sentinel(w, idx, exitInfo());
        }
        try {
            return HostCodec.decodeLine(json, WorkerReport.class);
        } catch (IllegalArgumentException e) {
            return sentinel(w, idx, ExitInfo.waitFailed("invalid report JSON: " + e.getMessage()));
        }
    }

    private WorkerReport sentinel(WorkerLaunch w, int idx, ExitInfo why) {
        String extra = killedBecause != null ? killedBecause : failures[idx] != null ? failures[idx] : hostFailure;
        ExitInfo e = why;
        if (extra != null && why.kind() != ExitInfo.Kind.SETUP_FAILED && !why.message().contains(extra)) {
            e = new ExitInfo(why.kind(), why.code(), (why.message().isEmpty() ? "" : why.message() + "; ") + extra);
        }
        int tid = tid(idx);
        return WorkerReport.sentinel(pid(), tid > 0 ? tid : pid(), w.spec().cgroup(), w.spec().workerIndex(), w.spec().workType().name(), e);
    }

    private ExitInfo exitInfo() {
        int code = process.exitValue();
        String msg = (hostFailure != null ? hostFailure : "") + stderrTail();
        if (code > 128) return new ExitInfo(ExitInfo.Kind.SIGNALED, code - 128, msg);
        return new ExitInfo(ExitInfo.Kind.EXITED, code, msg);
    }

    private String exitText() {
        return process.isAlive() ? "" : " (exit code " + process.exitValue() + ")";
    }

    /** SIGKILL the host and anything it spawned, then reap; {@code why} explains it to workers not yet collected. */
    public void kill(String why) {
        if (why != null && killedBecause == null && process.isAlive()) killedBecause = why;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitExit(2_000);
    }

    public boolean alive() {
        return process.isAlive();
    }

    private synchronized boolean write(String s) {
        try {
            control.write(s.getBytes(StandardCharsets.UTF_8));
            control.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void waitExit(long ms) {
        try {
            process.waitFor(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String stderrTail() {
        try {
            if (!Files.exists(stderrFile)) return "";
            List<String> lines = Files.readAllLines(stderrFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) return "";
            return "; stderr: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
