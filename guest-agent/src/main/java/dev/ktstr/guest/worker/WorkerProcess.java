package dev.ktstr.guest.worker;

import dev.ktstr.scenario.report.ExitInfo;
import dev.ktstr.scenario.report.ReportJson;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.runtime.WorkerHandle;
import dev.ktstr.scenario.runtime.WorkerSpec;
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
 * The agent's side of one worker process: spawn, wait for READY, release, stop, collect the
 * report (or build a sentinel explaining why there is none), kill.
 */
public final class WorkerProcess implements WorkerHandle {
    private final WorkerSpec spec;
    private final Process process;
    private final Path stderrFile;
    private final OutputStream control;
    private final CompletableFuture<int[]> ready = new CompletableFuture<>();
    private final CompletableFuture<String> report = new CompletableFuture<>();
    private volatile String failure;
    private boolean released;
    private boolean stopped;

    private WorkerProcess(WorkerSpec spec, Process process, Path stderrFile) {
        this.spec = spec;
        this.process = process;
        this.stderrFile = stderrFile;
        this.control = process.getOutputStream();
        Thread reader = new Thread(this::readStdout, "worker-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    public static WorkerProcess start(WorkerCommand cmd, WorkerLaunch launch, Path launchFile, Path stderrFile) throws IOException {
        ReportJson.mapper().writeValue(launchFile.toFile(), launch);
        ProcessBuilder pb = new ProcessBuilder(cmd.argv(launchFile));
        pb.redirectError(stderrFile.toFile());
        return new WorkerProcess(launch.spec(), pb.start(), stderrFile);
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(WorkerProtocol.READY)) {
                    String[] f = line.substring(WorkerProtocol.READY.length()).trim().split(" ");
                    ready.complete(new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1]), f.length > 2 ? Integer.parseInt(f[2]) : -1});
                } else if (line.startsWith(WorkerProtocol.REPORT)) {
                    report.complete(line.substring(WorkerProtocol.REPORT.length()));
                } else if (line.startsWith(WorkerProtocol.FAILED)) {
                    failure = line.substring(WorkerProtocol.FAILED.length());
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = failure == null ? "reading worker output failed: " + e.getMessage() : failure;
        } finally {
            ready.completeExceptionally(new IllegalStateException("worker output ended"));
            report.completeExceptionally(new IllegalStateException("worker output ended"));
        }
    }

    @Override
    public int pid() {
        return (int) process.pid();
    }

    @Override
    public WorkerSpec spec() {
        return spec;
    }

    /** Thread id of the loop thread (known once ready), else the pid. */
    public int loopTid() {
        int[] r = ready.getNow(null);
        return r == null ? pid() : r[1];
    }

    /** The worker JVM's uptime when it said READY (its start cost), or -1. */
    public int readyUptimeMs() {
        int[] r = ready.getNow(null);
        return r == null ? -1 : r[2];
    }

    /** Waits for READY; returns null when ready, else why not (with the stderr tail). */
    public String awaitReady(long deadlineNanos) {
        try {
            ready.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        } catch (TimeoutException e) {
            return "worker " + pid() + " not ready before the deadline (a JVM start under TCG takes ~1.2 s; raise Deadlines.workerReadyMs)"
                    + stderrTail();
        } catch (ExecutionException | InterruptedException e) {
            waitExit(500);
            return "worker " + pid() + " exited before it was ready" + exitText() + (failure != null ? ": " + failure : "") + stderrTail();
        }
    }

    /** Phase 2: let the loop start. Idempotent. */
    public synchronized void release() {
        if (released || stopped) return;
        released = true;
        try {
            control.write(WorkerProtocol.RELEASE);
            control.flush();
        } catch (IOException e) {
            failure = "release failed (worker gone?): " + e.getMessage();
        }
    }

    public synchronized void requestStop() {
        if (stopped) return;
        stopped = true;
        try {
            control.write(WorkerProtocol.STOP);
            control.flush();
        } catch (IOException ignored) {
            // the worker is gone; collect() reports how it ended
        }
        try {
            control.close();
        } catch (IOException ignored) {
            // same
        }
    }

    /** The report, waiting until {@code deadlineNanos}; a sentinel when there is none. Does not kill. */
    public WorkerReport collect(long deadlineNanos, int workerIndex) {
        String json;
        try {
            json = report.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return sentinel(ExitInfo.timedOut());
        } catch (ExecutionException | InterruptedException e) {
            waitExit(200);
            if (process.isAlive()) return sentinel(ExitInfo.waitFailed("output closed while the process still runs" + stderrTail()));
            return sentinel(exitInfo());
        }
        try {
            return ReportJson.read(json, WorkerReport.class);
        } catch (IllegalArgumentException e) {
            return sentinel(ExitInfo.waitFailed("invalid report JSON: " + e.getMessage()));
        }
    }

    private WorkerReport sentinel(ExitInfo why) {
        ExitInfo w = why;
        if (failure != null && why.kind() != ExitInfo.Kind.SETUP_FAILED) {
            w = new ExitInfo(why.kind(), why.code(), (why.message().isEmpty() ? "" : why.message() + "; ") + failure);
        }
        return WorkerReport.sentinel(pid(), spec.cgroup(), spec.workerIndex(), spec.workType().name(), w);
    }

    private ExitInfo exitInfo() {
        int code = process.exitValue();
        String msg = (failure != null ? failure : "") + stderrTail();
        if (code > 128) return new ExitInfo(ExitInfo.Kind.SIGNALED, code - 128, msg);
        return new ExitInfo(ExitInfo.Kind.EXITED, code, msg);
    }

    private String exitText() {
        return process.isAlive() ? "" : " (exit code " + process.exitValue() + ")";
    }

    /** SIGKILL the worker and anything it spawned (ForkExit children), then reap. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitExit(2_000);
    }

    public boolean alive() {
        return process.isAlive();
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
