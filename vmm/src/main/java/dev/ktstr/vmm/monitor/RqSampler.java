package dev.ktstr.vmm.monitor;

import java.util.ArrayList;
import java.util.List;

/** Reads every guest CPU's run queue once per call. */
public final class RqSampler {
    private final GuestKernel kernel;
    private final MonitorLayout layout;
    private final int cpus;
    private final long runqueues;
    private final long perCpuOffset;
    private final boolean scx;
    private final boolean schedstat;

    public RqSampler(GuestKernel kernel, MonitorLayout layout, int cpus) throws GuestMemoryException {
        this.kernel = kernel;
        this.layout = layout;
        this.cpus = cpus;
        this.runqueues = kernel.symbols().require("runqueues");
        this.perCpuOffset = kernel.symbols().require("__per_cpu_offset");
        this.scx = layout.field(MonitorLayout.SCX_NR_RUNNING).isPresent() && layout.field(MonitorLayout.SCX_LOCAL_DSQ_NR).isPresent();
        this.schedstat = MonitorLayout.SCHEDSTAT.stream().allMatch(k -> layout.field(k).isPresent());
    }

    /** Kernel virtual address of CPU {@code cpu}'s {@code struct rq}. */
    public long rqAddress(int cpu) throws GuestMemoryException {
        return runqueues + kernel.addressSpace().readU64(perCpuOffset + 8L * cpu);
    }

    /**
     * @param vcpuTimesNs host CPU time per guest CPU (index = cpu), or null entries / -1 when unknown
     */
    public List<CpuSnapshot> sample(long[] vcpuTimesNs) throws GuestMemoryException {
        KernelAddressSpace as = kernel.addressSpace();
        List<CpuSnapshot> out = new ArrayList<>(cpus);
        for (int cpu = 0; cpu < cpus; cpu++) {
            long rq = rqAddress(cpu);
            long nr = layout.read(as, rq, MonitorLayout.NR_RUNNING);
            long clock = layout.read(as, rq, MonitorLayout.CLOCK);
            Long scxNr = null;
            Long dsq = null;
            Long flags = null;
            if (scx) {
                scxNr = layout.read(as, rq, MonitorLayout.SCX_NR_RUNNING);
                dsq = layout.read(as, rq, MonitorLayout.SCX_LOCAL_DSQ_NR);
                if (layout.field(MonitorLayout.SCX_FLAGS).isPresent()) flags = layout.read(as, rq, MonitorLayout.SCX_FLAGS);
            }
            Schedstat ss = null;
            if (schedstat) {
                List<String> k = MonitorLayout.SCHEDSTAT;
                ss = new Schedstat(layout.read(as, rq, k.get(0)), layout.read(as, rq, k.get(1)), layout.read(as, rq, k.get(2)),
                        layout.read(as, rq, k.get(3)), layout.read(as, rq, k.get(4)), layout.read(as, rq, k.get(5)),
                        layout.read(as, rq, k.get(6)));
            }
            Long vt = vcpuTimesNs != null && cpu < vcpuTimesNs.length && vcpuTimesNs[cpu] >= 0 ? vcpuTimesNs[cpu] : null;
            out.add(new CpuSnapshot(cpu, nr, scxNr, dsq, clock, flags, ss, vt, null));
        }
        return out;
    }

    public MonitorLayout layout() {
        return layout;
    }
}
