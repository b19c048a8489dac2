package dev.ktstr.coordinator.progress;

import dev.ktstr.coordinator.RunListener;
import dev.ktstr.coordinator.RunProgress;
import dev.ktstr.coordinator.RunSummary;

import java.io.PrintStream;
import java.util.stream.Collectors;

/** Prints the compact progress line every progress interval, and the summary at the end. */
public final class ProgressPrinter implements RunListener {
    private final PrintStream out;

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
    public void onProgress(RunProgress progress) {
        out.println(format(progress));
    }

    @Override
    public void onFinished(RunSummary summary) {
        out.println("[ktstr] " + summary.oneLine());
    }
}
