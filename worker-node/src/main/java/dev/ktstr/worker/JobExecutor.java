package dev.ktstr.worker;

import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;

/**
 * Runs one job to completion on this host (the real one boots a VM). Called on a dedicated
 * thread; the worker interrupts that thread when the job's deadline passes, so implementations
 * must stop promptly on interrupt and leave no process behind. Artifacts listed in the job are in
 * the worker's {@link ArtifactCache} (verified by sha256) before this is called.
 */
public interface JobExecutor {
    JobResult execute(JobSpec job, JobProgress progress) throws InterruptedException;

    /**
     * sha256 of kernel images this host can boot without fetching (its own kernel cache); the
     * coordinator prefers giving such a worker jobs for those kernels. Called on every work
     * request: keep it cheap.
     */
    default java.util.Set<String> cachedKernelDigests() {
        return java.util.Set.of();
    }

    /** {@code kvm} or {@code tcg}: recorded in every result. */
    default String accelerator() {
        return "tcg";
    }
}
