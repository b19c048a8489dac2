package dev.ktstr.vmm.monitor;

import java.util.Map;

/**
 * One CPU's run-queue state at one sample. Boxed fields are null when the kernel lacks the
 * field or the host could not read it; {@link MonitorLayout#absent()} says why.
 *
 * @param cpu            guest CPU number
 * @param nrRunning      rq->nr_running (all classes)
 * @param scxNrRunning   rq->scx.nr_running
 * @param localDsqDepth  rq->scx.local_dsq.nr
 * @param rqClock        rq->clock (ns)
 * @param scxFlags       rq->scx.flags
 * @param schedstat      rq schedstat counters (CONFIG_SCHEDSTATS)
 * @param vcpuCpuTimeNs  host CPU time consumed so far by the vCPU thread running this CPU
 * @param eventCounters  sched_ext event counters by name (kernels that have them)
 */
public record CpuSnapshot(int cpu, long nrRunning, Long scxNrRunning, Long localDsqDepth, long rqClock, Long scxFlags,
                          Schedstat schedstat, Long vcpuCpuTimeNs, Map<String, Long> eventCounters) {}
