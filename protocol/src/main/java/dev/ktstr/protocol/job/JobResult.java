package dev.ktstr.protocol.job;

import dev.ktstr.protocol.outcome.VmOutcome;

import java.util.Map;
import java.util.Objects;

/**
 * The one result of one job. {@code message} and {@code details} may quote guest output and are
 * untrusted text: print them only through a sanitiser.
 *
 * @param phaseTimingsMs wall time per phase (e.g. fetch, boot, run), milliseconds
 * @param outcome what the VM run produced (the coordinator's verdict and sidecar input); null when no
 *                executor ran the job (lost worker, resolved before dispatch)
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
        VmOutcome outcome) implements CborSerializable {

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
        return new JobResult(jobId, variantName, status, message, details, node, accelerator, timings, attempt, outcome);
    }
}
