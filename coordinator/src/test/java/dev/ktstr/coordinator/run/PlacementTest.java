package dev.ktstr.coordinator.run;

import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.KernelRef;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.protocol.topology.Topology;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementTest {

    static final String K1 = "a".repeat(64);
    static final String K2 = "b".repeat(64);

    static JobSpec job(String name, Topology t, int memMb, boolean perf, String kernelSha) {
        return new JobSpec(JobSpec.jobIdFor("r", name), name, "C", "m", t, new KernelRef("k", kernelSha, null, null), "eevdf",
                List.of(), List.of(), memMb, 60_000, perf, List.of(), 0);
    }

    static WorkerCapacity worker(int cpus, long mem, String accel, int slots, boolean perf, Set<String> kernels) {
        return new WorkerCapacity("w", cpus, 2, 1, mem, accel, kernels, perf, slots);
    }

    @Test
    void aJobTakesAWholeVmOfCpusAndMemory() {
        WorkerCapacity w = worker(8, 4096, "kvm", 10, false, Set.of());
        List<JobSpec> q = new ArrayList<>();
        for (int i = 0; i < 5; i++) q.add(job("v" + i, Topology.parse("1,1,2,1"), 1024, false, null));
        List<JobSpec> got = Placement.choose(q, w, Placement.Usage.NONE, 10, 4.0);
        // memory bounds it at 4 even though 8 CPUs would take 4 two-vCPU VMs as well; kvm never overcommits
        assertThat(got).hasSize(4);
        q.replaceAll(j -> job(j.variantName(), Topology.parse("1,1,4,1"), 256, false, null));
        assertThat(Placement.choose(q, w, Placement.Usage.NONE, 10, 4.0)).hasSize(2);
    }

    @Test
    void tcgOvercommitOnlyByThePlanFactor() {
        WorkerCapacity tcg = worker(2, 64_000, "tcg", 16, false, Set.of());
        List<JobSpec> q = new ArrayList<>();
        for (int i = 0; i < 10; i++) q.add(job("v" + i, Topology.parse("1,1,2,1"), 256, false, null));
        assertThat(Placement.choose(q, tcg, Placement.Usage.NONE, 16, 1.0)).hasSize(1);
        assertThat(Placement.choose(q, tcg, Placement.Usage.NONE, 16, 3.0)).hasSize(3);
        WorkerCapacity kvm = worker(2, 64_000, "kvm", 16, false, Set.of());
        assertThat(Placement.choose(q, kvm, Placement.Usage.NONE, 16, 3.0)).hasSize(1);
    }

    @Test
    void slotsAndCurrentUsageLimitConcurrency() {
        WorkerCapacity w = worker(64, 64_000, "kvm", 3, false, Set.of());
        List<JobSpec> q = new ArrayList<>();
        for (int i = 0; i < 10; i++) q.add(job("v" + i, Topology.DEFAULT, 256, false, null));
        assertThat(Placement.choose(q, w, Placement.Usage.NONE, 10, 1.0)).hasSize(3);
        Placement.Usage one = Placement.Usage.NONE.plus(q.get(0));
        assertThat(Placement.choose(q, w, one, 10, 1.0)).hasSize(2);
        assertThat(Placement.choose(q, w, Placement.Usage.NONE, 1, 1.0)).hasSize(1);
    }

    @Test
    void performanceModeNeedsACapableWorkerAndNoOvercommit() {
        JobSpec perf = job("perf", Topology.parse("1,2,2,1"), 512, true, null);
        assertThat(Placement.fitsEmpty(perf, worker(8, 8000, "kvm", 4, false, Set.of()), 1.0)).isFalse();
        assertThat(Placement.fitsEmpty(perf, worker(8, 8000, "kvm", 4, true, Set.of()), 1.0)).isTrue();
        // 4 vCPUs pinned on a 2-CPU TCG host: overcommit does not apply
        assertThat(Placement.fitsEmpty(perf, worker(2, 8000, "tcg", 4, true, Set.of()), 8.0)).isFalse();
        // the topology's LLCs must exist on the host
        JobSpec wide = job("wide", Topology.parse("1,4,1,1"), 512, true, null);
        assertThat(Placement.fitsEmpty(wide, worker(8, 8000, "kvm", 4, true, Set.of()), 1.0)).isFalse();
    }

    @Test
    void cachedKernelJobsGoFirst() {
        WorkerCapacity w = worker(2, 8000, "kvm", 2, false, Set.of(K2));
        List<JobSpec> q = List.of(job("a", Topology.DEFAULT, 256, false, K1), job("b", Topology.DEFAULT, 256, false, K2));
        assertThat(Placement.choose(q, w, Placement.Usage.NONE, 1, 1.0)).extracting(JobSpec::variantName).containsExactly("b");
    }

    @Test
    void tooBigForTheWorkerIsNeverChosen() {
        WorkerCapacity w = worker(4, 8000, "kvm", 4, false, Set.of());
        JobSpec big = job("big", Topology.parse("2,4,4,2"), 256, false, null);
        assertThat(Placement.fitsEmpty(big, w, 1.0)).isFalse();
        assertThat(Placement.choose(List.of(big), w, Placement.Usage.NONE, 4, 1.0)).isEmpty();
    }
}
