package dev.ktstr.coordinator.journal;

import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;

import java.util.List;
import java.util.Map;

/**
 * What a journal says: the plan, its jobs in order, the first result per job id, and how many
 * attempts each job already used.
 *
 * @param duplicateResults result lines ignored because the job already had one
 * @param tornTail the last line was incomplete (crash mid-write) and was ignored
 */
public record JournalState(JournalRecord.Plan plan, List<JobSpec> jobs, Map<String, JobResult> results,
                           Map<String, Integer> retries, int duplicateResults, boolean tornTail, boolean ended) {

    public List<JobSpec> pending() {
        return jobs.stream().filter(j -> !results.containsKey(j.jobId())).toList();
    }
}
