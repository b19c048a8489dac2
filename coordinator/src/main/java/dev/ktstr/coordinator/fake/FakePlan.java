package dev.ktstr.coordinator.fake;

import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.KernelRef;
import dev.ktstr.protocol.topology.Topology;

import java.util.ArrayList;
import java.util.List;

/**
 * Synthetic jobs for the fake backend ({@code ktstr coordinator --fake-jobs N}): 1-vCPU, 256 MiB
 * variants named {@code fake/test-00042}; the last {@code hangCount} are named
 * {@code fake/hang-NNNNN} with a short deadline, which the fake executor never finishes.
 */
public final class FakePlan {
    private FakePlan() {
    }

    public static List<JobSpec> jobs(String runId, int count, int hangCount, long hangTimeoutMs) {
        if (count < 1) throw new IllegalArgumentException("--fake-jobs must be >= 1, got " + count);
        if (hangCount < 0 || hangCount > count) throw new IllegalArgumentException("hanging jobs must be within 0.." + count);
        List<JobSpec> out = new ArrayList<>(count);
        Topology topo = new Topology(1, 1, 1, 1);
        for (int i = 0; i < count; i++) {
            boolean hang = i >= count - hangCount;
            String variant = String.format(hang ? "fake/hang-%05d" : "fake/test-%05d", i);
            out.add(new JobSpec(JobSpec.jobIdFor(runId, variant), variant, "dev.ktstr.fake.FakeTests", "test" + i, topo,
                    KernelRef.labelOnly("fake"), "eevdf", List.of(), List.of(), 256, hang ? hangTimeoutMs : 600_000L,
                    false, List.of(), 0));
        }
        return out;
    }
}
