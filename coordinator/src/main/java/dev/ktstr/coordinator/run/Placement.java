package dev.ktstr.coordinator.run;

import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.WorkerCapacity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which queued jobs a worker gets when it asks for work. A job takes a whole VM: its vCPUs and
 * memory must fit what the worker has left. TCG workers may run more vCPUs than host CPUs by the
 * plan's overcommit factor; performance-mode jobs never overcommit and need a worker that can
 * pin (and enough host LLCs/NUMA nodes to mirror the topology). Jobs whose kernel the worker has
 * cached go first.
 */
public final class Placement {
    private Placement() {
    }

    /** What a worker already has committed. */
    public record Usage(int jobs, int vcpus, long memoryMb, boolean exclusive) {
        public static final Usage NONE = new Usage(0, 0, 0, false);

        public Usage plus(JobSpec j) {
            return new Usage(jobs + 1, vcpus + j.vcpus(), memoryMb + j.memoryMb(), exclusive || j.performanceMode());
        }
    }

    public static boolean fits(JobSpec job, WorkerCapacity cap, Usage used, double tcgOvercommit) {
        if (used.jobs() >= cap.slots()) return false;
        if (job.memoryMb() > cap.memoryMb() - used.memoryMb()) return false;
        if (job.performanceMode()) {
            // pinned vCPUs need real CPUs of their own and the host's cache/NUMA shape
            if (!cap.performanceModeCapable()) return false;
            if (job.topology().llcs() > cap.llcs() || job.topology().numaNodes() > cap.numaNodes()) return false;
            return used.vcpus() + job.vcpus() <= cap.hostCpus();
        }
        if (used.exclusive()) {
            return used.vcpus() + job.vcpus() <= cap.hostCpus();
        }
        double limit = cap.isTcg() ? cap.hostCpus() * tcgOvercommit : cap.hostCpus();
        return used.vcpus() + job.vcpus() <= limit + 1e-9;
    }

    /** True when the job would fit on this worker if it were idle. */
    public static boolean fitsEmpty(JobSpec job, WorkerCapacity cap, double tcgOvercommit) {
        return fits(job, cap, Usage.NONE, tcgOvercommit);
    }

    /**
     * Picks jobs from {@code queue} (in order, cached-kernel jobs first) for a worker with
     * {@code used} committed, at most {@code maxJobs}.
     */
    public static List<JobSpec> choose(Collection<JobSpec> queue, WorkerCapacity cap, Usage used, int maxJobs,
                                       double tcgOvercommit) {
        List<JobSpec> chosen = new ArrayList<>();
        if (maxJobs <= 0) return chosen;
        Usage u = used;
        if (!cap.cachedKernels().isEmpty()) {
            for (JobSpec j : queue) {
                if (chosen.size() >= maxJobs) return chosen;
                if (j.kernel() != null && cap.cachedKernels().contains(j.kernel().imageSha256()) && fits(j, cap, u, tcgOvercommit)) {
                    chosen.add(j);
                    u = u.plus(j);
                }
            }
        }
        for (JobSpec j : queue) {
            if (chosen.size() >= maxJobs || u.jobs() >= cap.slots()) break;
            if (!chosen.contains(j) && fits(j, cap, u, tcgOvercommit)) {
                chosen.add(j);
                u = u.plus(j);
            }
        }
        return chosen;
    }
}
