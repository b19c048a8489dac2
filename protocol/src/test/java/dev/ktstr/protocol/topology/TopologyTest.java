package dev.ktstr.protocol.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopologyTest {

    @Test
    void parsesCommaAndCompactForms() {
        assertThat(Topology.parse("1,2,2,2")).isEqualTo(new Topology(1, 2, 2, 2));
        assertThat(Topology.parse(" 2, 4 ,1,1 ")).isEqualTo(new Topology(2, 4, 1, 1));
        assertThat(Topology.parse("1n2l4c2t")).isEqualTo(new Topology(1, 2, 4, 2));
        assertThat(new Topology(1, 2, 4, 2).render()).isEqualTo("1n2l4c2t");
        assertThat(new Topology(1, 2, 4, 2).toArgument()).isEqualTo("1,2,4,2");
    }

    @Test
    void rejectsMalformedTextNamingTheExpectedForm() {
        assertThatThrownBy(() -> Topology.parse("1,2,2"))
                .isInstanceOf(InvalidTopologyException.class)
                .hasMessageContaining("malformed topology '1,2,2'")
                .hasMessageContaining("N,L,C,T");
        assertThatThrownBy(() -> Topology.parse("a,b,c,d")).isInstanceOf(InvalidTopologyException.class);
        assertThatThrownBy(() -> Topology.parse("1,99999999999,1,1")).hasMessageContaining("out of range");
    }

    @Test
    void rejectsImpossibleTopologies() {
        assertThatThrownBy(() -> Topology.parse("0,1,1,1")).hasMessageContaining("numa nodes must be > 0");
        assertThatThrownBy(() -> Topology.parse("1,1,0,1")).hasMessageContaining("cores per llc must be > 0");
        assertThatThrownBy(() -> Topology.parse("2,3,1,1"))
                .hasMessageContaining("llcs (3) must be a multiple of numa nodes (2)");
        assertThatThrownBy(() -> new Topology(1, 64, 64, 2)).hasMessageContaining("more than 4096 CPUs");
    }

    @Test
    void numbersCpusLlcMajor() {
        Topology t = new Topology(2, 4, 2, 2); // 16 cpus, 4 per LLC, 8 per node
        assertThat(t.totalCpus()).isEqualTo(16);
        assertThat(t.llcOfCpu(0)).isZero();
        assertThat(t.llcOfCpu(3)).isZero();
        assertThat(t.llcOfCpu(4)).isEqualTo(1);
        assertThat(t.nodeOfCpu(7)).isZero();
        assertThat(t.nodeOfCpu(8)).isEqualTo(1);
        assertThat(t.llcCpuRange(2)).containsExactly(8, 11);
        assertThat(t.nodeCpuRange(1)).containsExactly(8, 15);
        assertThat(t.nodeOfLlc(3)).isEqualTo(1);
        assertThat(t.hasSmt()).isTrue();
        assertThatThrownBy(() -> t.llcOfCpu(16)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
