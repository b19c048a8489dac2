package dev.ktstr.coordinator.progress;

import dev.ktstr.coordinator.RunListener;
import dev.ktstr.coordinator.RunProgress;
import dev.ktstr.coordinator.RunSummary;

import java.io.PrintStream;
import java.util.stream.Collectors;

/**
 * Prints the compact progress line when the counts change, and at least once a minute while nothing
 * changes (a VM under TCG can take minutes: the heartbeat shows the run is alive without flooding a
 * CI log with identical lines every progress interval). The summary comes at the end.
 */
public final class ProgressPrinter implements RunListener {
    static final long HEARTBEAT_NANOS = 60_000_000_000L;
    private final PrintStream out;
    private String lastState;
    private long lastPrintNanos;

    public ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    public static String format(RunProgress p) {
        String workers = p.workers().isEmpty() ? "no workers yet" : p.workers().stream()
                .map(w -> Untrusted.line(w.node(), 40) + " " + w.running() + "/" + w.slots())
                .collect(Collectors.joining(", "));
        String eta = p.etaSeconds() < 0 ? "?" : formatSeconds(p.etaSeconds());
        return String.format("[ktstr %s] %d/%d done (pass %d, fail %d, skip %d, infra %d) | running %d | queued %d | %s | %.1f jobs/s | ETA %s",
                p.runId(), p.done(), p.total(), p.passed(), p.failed(), p.skipped(), p.infra(), p.running(), p.queued(),
                workers, p.jobsPerSecond(), eta);
    }

    static String formatSeconds(long s) {
        if (s < 60) return s + "s";
        if (s < 3600) return (s / 60) + "m" + String.format("%02d", s % 60) + "s";
        return (s / 3600) + "h" + String.format("%02d", (s % 3600) / 60) + "m";
    }

    @Override
    public synchronized void onProgress(RunProgress progress) {
        long now = System.nanoTime();
        String state = state(progress);
        if (state.equals(lastState) && now - lastPrintNanos < HEARTBEAT_NANOS) return;
        lastState = state;
        lastPrintNanos = now;
        out.println(format(progress));
    }

    /** What a reader cares about changing; rates and ETA move every tick and do not count. */
    private static String state(RunProgress p) {
        return p.done() + "/" + p.total() + "/" + p.running() + "/" + p.queued() + "/" + p.failed() + "/" + p.infra()
                + "/" + p.workers().stream().map(w -> w.node() + ":" + w.running()).collect(Collectors.joining(","));
    }

    /**
     * Prints nothing: the command that started the run prints its one summary (`ktstr test` counts
     * every variant, including those resolved before dispatch; `ktstr coordinator` prints
     * {@link RunSummary#oneLine()}), so a run never ends with two summaries that disagree.
     */
    @Override
    public void onFinished(RunSummary summary) {
    }
}
