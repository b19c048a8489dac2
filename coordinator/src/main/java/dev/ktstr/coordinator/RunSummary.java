package dev.ktstr.coordinator;

import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a run: exactly one result per job, in plan order.
 *
 * @param resumedResults results taken from the journal of an earlier coordinator (not re-run)
 * @param coordinatorMicrosPerJob coordinator actor time per job executed in this session (placement, journal, acks)
 * @param journalMicrosPerJob the part of it spent writing and fsyncing the journal
 */
public record RunSummary(String runId, Path journal, List<JobResult> results, int resumedResults, long wallMs,
                         double jobsPerSecond, double coordinatorMicrosPerJob, double journalMicrosPerJob, List<String> quarantined) {

    /** @param quarantined workers taken out of the run for repeated infrastructure errors, each with why */
    public RunSummary {
        quarantined = quarantined == null ? List.of() : List.copyOf(quarantined);
    }

    public RunSummary(String runId, Path journal, List<JobResult> results, int resumedResults, long wallMs,
                      double jobsPerSecond, double coordinatorMicrosPerJob, double journalMicrosPerJob) {
        this(runId, journal, results, resumedResults, wallMs, jobsPerSecond, coordinatorMicrosPerJob, journalMicrosPerJob, List.of());
    }

    public Map<JobStatus, Integer> counts() {
        Map<JobStatus, Integer> m = new EnumMap<>(JobStatus.class);
        for (JobStatus s : JobStatus.values()) m.put(s, 0);
        results.forEach(r -> m.merge(r.status(), 1, Integer::sum));
        return m;
    }

    /** No FAIL, TIMEOUT or INFRA_ERROR. */
    public boolean allPassed() {
        Map<JobStatus, Integer> c = counts();
        return c.get(JobStatus.FAIL) == 0 && c.get(JobStatus.TIMEOUT) == 0 && c.get(JobStatus.INFRA_ERROR) == 0;
    }

    public String oneLine() {
        Map<JobStatus, Integer> c = counts();
        return String.format("run %s: %d results: pass %d, fail %d, timeout %d, skip %d, infra %d; %.1f s, %.1f jobs/s,"
                        + " coordinator %.0f us/job (journal %.0f us/job)%s",
                runId, results.size(), c.get(JobStatus.PASS), c.get(JobStatus.FAIL), c.get(JobStatus.TIMEOUT),
                c.get(JobStatus.SKIP), c.get(JobStatus.INFRA_ERROR), wallMs / 1000.0, jobsPerSecond,
                coordinatorMicrosPerJob, journalMicrosPerJob,
                resumedResults > 0 ? ", " + resumedResults + " taken from the journal" : "")
                + (quarantined.isEmpty() ? "" : "; quarantined: " + String.join("; ", quarantined));
    }
}
