package dev.ktstr.coordinator;

import dev.ktstr.protocol.job.JobResult;

/**
 * Live view of a run. Called on the coordinator's actor thread: keep it quick and never block.
 */
public interface RunListener {
    default void onProgress(RunProgress progress) {
    }

    default void onPhase(String jobId, String variantName, String phase, String workerNode) {
    }

    /** A journaled result (never a duplicate). */
    default void onResult(JobResult result) {
    }

    default void onFinished(RunSummary summary) {
    }

    RunListener NONE = new RunListener() {
    };

    static RunListener both(RunListener a, RunListener b) {
        return new RunListener() {
            @Override public void onProgress(RunProgress p) { a.onProgress(p); b.onProgress(p); }
            @Override public void onPhase(String j, String v, String ph, String w) { a.onPhase(j, v, ph, w); b.onPhase(j, v, ph, w); }
            @Override public void onResult(JobResult r) { a.onResult(r); b.onResult(r); }
            @Override public void onFinished(RunSummary s) { a.onFinished(s); b.onFinished(s); }
        };
    }
}
