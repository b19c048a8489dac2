package dev.ktstr.coordinator;

import dev.ktstr.protocol.job.JobSpec;

import java.util.List;

/**
 * What to run. A fresh run names its jobs; a resumed run ({@link #resume}) reads them back from
 * the journal of {@code runId} and runs only the ones without a result.
 */
public record RunRequest(String runId, List<JobSpec> jobs, boolean resume, RunOptions options, RunListener listener,
                         ArtifactStore artifacts) {

    public RunRequest {
        RunIds.validate(runId);
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        if (options == null) options = RunOptions.defaults();
        if (listener == null) listener = RunListener.NONE;
        if (artifacts == null) artifacts = new ArtifactStore();
        if (!resume && jobs.isEmpty()) throw new IllegalArgumentException("run " + runId + " has no jobs");
    }

    public static RunRequest of(String runId, List<JobSpec> jobs, RunOptions options) {
        return new RunRequest(runId, jobs, false, options, null, null);
    }

    public static RunRequest resume(String runId, RunOptions options) {
        return new RunRequest(runId, List.of(), true, options, null, null);
    }

    public RunRequest withListener(RunListener l) {
        return new RunRequest(runId, jobs, resume, options, l, artifacts);
    }

    public RunRequest withArtifacts(ArtifactStore store) {
        return new RunRequest(runId, jobs, resume, options, listener, store);
    }
}
