package dev.ktstr.protocol.job;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;
import java.util.Objects;

/**
 * The one result of one job. {@code message} and {@code details} may quote guest output and are
 * untrusted text: print them only through a sanitiser.
 *
 * @param phaseTimingsMs wall time per phase (e.g. fetch, boot, run), milliseconds
 * @param payload free-form JSON for the sidecar; may be null
 */
public record JobResult(
        String jobId,
        String variantName,
        JobStatus status,
        String message,
        String details,
        String workerNode,
        String accelerator,
        Map<String, Long> phaseTimingsMs,
        int attempt,
        JsonNode payload) implements CborSerializable {

    public JobResult {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(status, "status");
        message = message == null ? "" : message;
        details = details == null ? "" : details;
        phaseTimingsMs = phaseTimingsMs == null ? Map.of() : Map.copyOf(phaseTimingsMs);
    }

    public static JobResult of(JobSpec job, JobStatus status, String message, String workerNode, String accelerator) {
        return new JobResult(job.jobId(), job.variantName(), status, message, "", workerNode, accelerator, Map.of(),
                job.attempt(), null);
    }

    public JobResult withWorker(String node, Map<String, Long> timings) {
        return new JobResult(jobId, variantName, status, message, details, node, accelerator, timings, attempt, payload);
    }
}
