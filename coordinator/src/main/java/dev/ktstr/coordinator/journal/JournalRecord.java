package dev.ktstr.coordinator.journal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;

/** One line of a run journal ({@code journal.jsonl}); the {@code type} field names the kind. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = JournalRecord.Plan.class, name = "plan"),
        @JsonSubTypes.Type(value = JournalRecord.Job.class, name = "job"),
        @JsonSubTypes.Type(value = JournalRecord.Result.class, name = "result"),
        @JsonSubTypes.Type(value = JournalRecord.Retry.class, name = "retry"),
        @JsonSubTypes.Type(value = JournalRecord.Resumed.class, name = "resumed"),
        @JsonSubTypes.Type(value = JournalRecord.End.class, name = "end"),
})
public sealed interface JournalRecord {

    /** First line: the run's identity and the placement settings it was planned with. */
    record Plan(String runId, String createdAt, int jobCount, double tcgOvercommit, int maxAttempts, int formatVersion)
            implements JournalRecord {
    }

    record Job(JobSpec job) implements JournalRecord {
    }

    /** The one result of a job; only the first result line per job id counts. */
    record Result(JobResult result) implements JournalRecord {
    }

    /** An attempt that was lost (worker loss, VM infrastructure error) and re-queued. */
    record Retry(String jobId, int failedAttempt, String reason) implements JournalRecord {
    }

    record Resumed(String at, int pending) implements JournalRecord {
    }

    record End(String at, int results) implements JournalRecord {
    }
}
