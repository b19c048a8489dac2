package dev.ktstr.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CpusetSpecTest {

    private static final Topology T8 = new Topology(1, 2, 4, 1);   // 8 CPUs, U = 0-6
    private static final Topology T2 = Topology.DEFAULT;           // 2 CPUs, U = 0-1
    private static final Topology NUMA = new Topology(2, 4, 2, 1); // 8 CPUs, node0 = 0-3

    private static String r(CpusetSpec s, Topology t) {
        return CpuSets.format(s.resolve(t));
    }

    @Test
    void usableCpusReserveTheLastCpuAboveTwo() {
        assertThat(CpuSets.format(CpuSets.usableCpus(T8))).isEqualTo("0-6");
        assertThat(CpuSets.format(CpuSets.usableCpus(T2))).isEqualTo("0-1");
        assertThat(CpuSets.format(CpuSets.usableCpus(new Topology(1, 1, 3, 1)))).isEqualTo("0-1");
    }

    @Test
    void llcAndNumaSpecs() {
        assertThat(r(CpusetSpec.llc(1), T8)).isEqualTo("4-7");
        assertThat(r(CpusetSpec.numa(1), NUMA)).isEqualTo("4-7");
        List<String> warnings = new ArrayList<>();
        assertThat(CpuSets.format(CpusetSpec.llc(9).resolve(T8, warnings::add))).isEqualTo("4-7");
        assertThat(warnings).containsExactly("Llc(9) out of range for 2 LLCs; using LLC 1");
        assertThatThrownBy(() -> CpusetSpec.numa(-1).resolve(NUMA)).hasMessageContaining("Numa node must be >= 0");
    }

    @Test
    void disjointLastPartitionTakesRemainder() {
        // len 7, of 3: chunk 2 → [0,2) [2,4) [4,7)
        assertThat(r(CpusetSpec.disjoint(0, 3), T8)).isEqualTo("0-1");
        assertThat(r(CpusetSpec.disjoint(1, 3), T8)).isEqualTo("2-3");
        assertThat(r(CpusetSpec.disjoint(2, 3), T8)).isEqualTo("4-6");
        assertThat(r(CpusetSpec.disjoint(1, 2), T2)).isEqualTo("1");
    }

    @Test
    void overlapExtendsIntoNeighbours() {
        // len 7, of 2: chunk 3, overlap floor(3*0.5)=1 → idx0 [0, min(3+1,7)) = 0-3 ; idx1 [3-1, 7) = 2-6
        assertThat(r(CpusetSpec.overlap(0, 2, 0.5), T8)).isEqualTo("0-3");
        assertThat(r(CpusetSpec.overlap(1, 2, 0.5), T8)).isEqualTo("2-6");
        // middle index of 3: chunk 2, overlap 1 → [1, 5)
        assertThat(r(CpusetSpec.overlap(1, 3, 0.5), T8)).isEqualTo("1-4");
    }

    @Test
    void rangeUsesFloorOfFractions() {
        assertThat(r(CpusetSpec.range(0.0, 0.5), T8)).isEqualTo("0-2");   // floor(3.5)=3
        assertThat(r(CpusetSpec.range(0.5, 1.0), T8)).isEqualTo("3-6");
    }

    @Test
    void validationErrors() {
        assertThatThrownBy(() -> CpusetSpec.disjoint(0, 0).resolve(T8)).hasMessage("partition count 'of' must be > 0, got 0");
        assertThatThrownBy(() -> CpusetSpec.disjoint(2, 2).resolve(T8)).hasMessage("partition index must be in 0..1, got 2");
        assertThatThrownBy(() -> CpusetSpec.disjoint(0, 3).resolve(T2))
                .hasMessage("cannot split 2 usable CPUs into 3 partitions; use a topology with at least 4 CPUs");
        assertThatThrownBy(() -> CpusetSpec.range(0.5, 0.5).resolve(T8)).hasMessageContaining("0 <= start < end <= 1");
        assertThatThrownBy(() -> CpusetSpec.range(Double.NaN, 0.5).resolve(T8)).hasMessageContaining("finite");
        assertThatThrownBy(() -> CpusetSpec.range(0.0, 1.5).resolve(T8)).hasMessageContaining("0 <= start < end <= 1");
        assertThatThrownBy(() -> CpusetSpec.range(0.0, 0.1).resolve(T2)).hasMessageContaining("is empty");
        assertThatThrownBy(() -> CpusetSpec.overlap(0, 2, 1.5).resolve(T8)).hasMessage("Overlap frac must be finite in [0,1], got 1.5");
        assertThatThrownBy(() -> CpusetSpec.exact(new TreeSet<>()).resolve(T8)).hasMessage("Exact cpuset must not be empty");
        assertThatThrownBy(() -> CpusetSpec.exact(3, 8).resolve(T8))
                .isInstanceOf(CpusetSpec.InvalidCpusetException.class)
                .hasMessage("Exact cpuset CPU 8 is outside topology 1n2l4c1t (CPUs 0-7)");
    }

    @Test
    void formatAndParseRoundTrip() {
        TreeSet<Integer> s = new TreeSet<>(List.of(0, 1, 2, 3, 5, 7, 8, 9));
        assertThat(CpuSets.format(s)).isEqualTo("0-3,5,7-9");
        assertThat(CpuSets.parse("0-3,5,7-9")).isEqualTo(s);
        assertThat(CpuSets.numaNodesFor(NUMA, CpuSets.parse("3-4"))).containsExactly(0, 1);
        assertThatThrownBy(() -> CpuSets.parse("0-x")).hasMessageContaining("malformed cpu list");
    }
}
