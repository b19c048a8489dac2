package dev.ktstr.protocol.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.topology.Topology;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobSpecTest {

    @Test
    void jobIdIsStablePerRunAndVariant() {
        String a = JobSpec.jobIdFor("run-1", "gauntlet/t/tiny-1llc/default");
        assertThat(a).hasSize(32).isEqualTo(JobSpec.jobIdFor("run-1", "gauntlet/t/tiny-1llc/default"));
        assertThat(JobSpec.jobIdFor("run-2", "gauntlet/t/tiny-1llc/default")).isNotEqualTo(a);
        assertThat(JobSpec.jobIdFor("run-1", "gauntlet/t/tiny-2llc/default")).isNotEqualTo(a);
    }

    @Test
    void recordsRoundTripThroughJson() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ArtifactRef art = new ArtifactRef("scx_simple", "ab".repeat(32), 1234, ArtifactRole.SCHEDULER);
        JobSpec j = new JobSpec(JobSpec.jobIdFor("r", "ktstr/x"), "ktstr/x", "a.B", "x", Topology.parse("1,2,2,1"),
                new KernelRef("6.12", "cd".repeat(32), null, null), "scx_simple", List.of("-v"), List.of("llc"), 512, 30_000,
                false, List.of(art), 1);
        assertThat(m.readValue(m.writeValueAsString(j), JobSpec.class)).isEqualTo(j);
        JobResult r = new JobResult(j.jobId(), j.variantName(), JobStatus.TIMEOUT, "m", "d", "w", "tcg", Map.of("boot", 3L), 1,
                dev.ktstr.protocol.outcome.VmOutcomeTest.sample());
        assertThat(m.readValue(m.writeValueAsString(r), JobResult.class)).isEqualTo(r);
        WorkerCapacity c = new WorkerCapacity("n", 2, 1, 1, 1000, "tcg", java.util.Set.of("x"), false, 2);
        assertThat(m.readValue(m.writeValueAsString(c), WorkerCapacity.class)).isEqualTo(c);
    }

    @Test
    void badJobsAreRejectedNamingTheVariant() {
        assertThatThrownBy(() -> new JobSpec("id", "ktstr/x", "a", "b", Topology.DEFAULT, null, null, null, null, 0, 10, false, null, 0))
                .hasMessageContaining("ktstr/x").hasMessageContaining("memoryMb");
    }
}
