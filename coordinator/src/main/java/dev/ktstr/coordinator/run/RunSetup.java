package dev.ktstr.coordinator.run;

import dev.ktstr.coordinator.ArtifactStore;
import dev.ktstr.coordinator.RunListener;
import dev.ktstr.coordinator.RunOptions;
import dev.ktstr.coordinator.RunProgress;
import dev.ktstr.coordinator.RunSummary;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything the coordinator actor needs to own a run; built outside the actor (journal created
 * or replayed) and handed over in one local message.
 *
 * @param existing results already journaled (resume): those jobs are not run again
 * @param retries attempts each job already lost, from the journal
 */
public record RunSetup(String runId, List<JobSpec> jobs, Map<String, JobResult> existing, Map<String, Integer> retries,
                       RunJournal journal, RunOptions options, RunListener listener, ArtifactStore artifacts,
                       CompletableFuture<RunSummary> completion, AtomicReference<RunProgress> progress) {
}
