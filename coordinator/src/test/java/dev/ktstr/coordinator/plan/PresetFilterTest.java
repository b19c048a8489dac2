package dev.ktstr.coordinator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.topology.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

class PresetFilterTest {

    static final HostCapacity BIG = new HostCapacity(512, 32, 64, 8, 1 << 20);
    /** This project's build machine: 2 CPUs sharing one L3, one node, 24 GiB. */
    static final HostCapacity TINY = new HostCapacity(2, 1, 2, 1, 24 * 1024);

    static List<String> names(List<TopologyPreset> ps) {
        return ps.stream().map(TopologyPreset::name).toList();
    }

    @Test
    void tableHas24X86PresetsWithSpecCpuCounts() {
        assertThat(TopologyPreset.X86_64).hasSize(24);
        assertThat(TopologyPreset.AARCH64).hasSize(14).noneMatch(p -> p.topology().hasSmt());
        assertThat(TopologyPreset.byName("max-cpu").orElseThrow().cpus()).isEqualTo(252);
        assertThat(TopologyPreset.byName("max-cpu").orElseThrow().memoryMb()).isEqualTo(4096);
        assertThat(TopologyPreset.byName("numa2-4llc").orElseThrow().cpus()).isEqualTo(16);
        assertThat(TopologyPreset.byName("numa4-12llc").orElseThrow().cpus()).isEqualTo(192);
        assertThat(TopologyPreset.byName("numa4-12llc").orElseThrow().topology().render()).isEqualTo("4n12l8c2t");
        assertThat(TopologyPreset.byName("odd-7llc").orElseThrow().cpus()).isEqualTo(14);
        assertThat(TopologyPreset.vmMemoryMb(TopologyPreset.byName("max-cpu").orElseThrow().topology(), 2048)).isEqualTo(16128);
        assertThat(TopologyPreset.forArch("amd64")).isSameAs(TopologyPreset.X86_64);
        assertThatThrownBy(() -> TopologyPreset.forArch("riscv64")).hasMessageContaining("x86_64");
    }

    @Test
    void defaultConstraintsOnBigHostKeep15() {
        PresetFilter.Result r = new PresetFilter(BIG, Overcommit.NONE).filter(TopologyPreset.X86_64, PlanConstraints.DEFAULT);
        assertThat(r.kept()).hasSize(15);
        assertThat(names(r.rejected().stream().map(PresetFilter.Rejection::preset).toList())).containsExactlyInAnyOrder(
                "near-max-llc", "max-cpu", "near-max-llc-nosmt", "max-cpu-nosmt",
                "numa2-4llc", "numa2-8llc", "numa2-8llc-nosmt", "numa4-8llc", "numa4-12llc");
        assertThat(r.rejected()).noneMatch(PresetFilter.Rejection::byHost);
        assertThat(r.overcommitted()).isEmpty();
    }

    @Test
    void minTwoLlcsWithSmtKeepsTheDocumentedSix() {
        PlanConstraints c = PlanConstraints.DEFAULT.withMinLlcs(2).withRequiresSmt(true);
        PresetFilter.Result r = new PresetFilter(BIG, Overcommit.NONE).filter(TopologyPreset.X86_64, c);
        assertThat(names(r.kept())).containsExactly("smt-2llc", "smt-3llc", "medium-4llc", "medium-8llc", "large-4llc", "large-8llc");
        assertThat(new PresetFilter(BIG, Overcommit.NONE).filter(TopologyPreset.AARCH64, c).kept()).isEmpty();
    }

    @Test
    void numaConstraintsSelectNumaPresets() {
        PlanConstraints c = PlanConstraints.DEFAULT.withNuma(2, 4);
        PresetFilter.Result r = new PresetFilter(BIG, Overcommit.NONE).filter(TopologyPreset.X86_64, c);
        // numa4-12llc sits exactly on the default max_llcs (12) and max_cpus (192): both bounds are inclusive.
        assertThat(names(r.kept())).containsExactly("numa2-4llc", "numa2-8llc", "numa2-8llc-nosmt", "numa4-8llc", "numa4-12llc");
    }

    @Test
    void hostTooSmallGivesEmptyResultWithReason() {
        PresetFilter f = new PresetFilter(TINY, Overcommit.NONE);
        PresetFilter.Result r = f.filter(TopologyPreset.X86_64, PlanConstraints.DEFAULT);
        assertThat(r.kept()).isEmpty();
        assertThat(r.rejected()).filteredOn(x -> x.preset().name().equals("tiny-1llc"))
                .singleElement().satisfies(x -> {
                    assertThat(x.byHost()).isTrue();
                    assertThat(x.reason()).isEqualTo("4 vCPUs > 2 host CPUs");
                });
        String why = r.emptyReason(TINY, Overcommit.NONE);
        assertThat(why).contains("9 excluded by the test's constraints", "15 too large for this host", "--overcommit");
    }

    @Test
    void llcShapeChecksApplyWithoutOvercommit() {
        HostCapacity host = new HostCapacity(64, 2, 32, 1, 1 << 16);
        PresetFilter f = new PresetFilter(host, Overcommit.NONE);
        assertThat(f.hostViolation(new Topology(1, 3, 3, 1), 2048)).isEqualTo("3 LLCs > 2 host LLCs");
        assertThat(f.hostViolation(new Topology(1, 1, 32, 2), 2048)).isEqualTo("64 CPUs per LLC > largest host LLC (32 CPUs)");
        assertThat(f.hostViolation(new Topology(1, 2, 16, 2), 2048)).isNull();
        assertThat(new PresetFilter(new HostCapacity(512, 32, 64, 1, 4096), Overcommit.NONE)
                .hostViolation(new Topology(1, 8, 8, 2), 2048)).isEqualTo("needs 8192 MB > host memory 4096 MB");
    }

    @Test
    void overcommitAdmitsSmallPresetsAndRecordsThem() {
        PresetFilter f = new PresetFilter(TINY, Overcommit.factor(4));
        PresetFilter.Result r = f.filter(TopologyPreset.X86_64, PlanConstraints.DEFAULT);
        assertThat(names(r.kept())).containsExactly("tiny-1llc", "tiny-2llc", "smt-2llc");
        assertThat(r.overcommitted()).containsExactlyElementsOf(r.kept());
        assertThat(r.rejected()).filteredOn(x -> x.preset().name().equals("odd-3llc"))
                .singleElement().extracting(PresetFilter.Rejection::reason).isEqualTo("9 vCPUs > 4 x 2 host CPUs");
        assertThat(Overcommit.factor(4).toString()).isEqualTo("overcommit x4 (LLC shape not checked)");
        assertThatThrownBy(() -> new Overcommit(0, false)).hasMessageContaining(">= 1");
    }

    @Test
    void overcommitNeverRelaxesTheTestsOwnConstraints() {
        PresetFilter f = new PresetFilter(TINY, Overcommit.factor(1000));
        PresetFilter.Result r = f.filter(TopologyPreset.X86_64, PlanConstraints.DEFAULT);
        assertThat(r.kept()).hasSize(15);
    }

    @Test
    void constraintsValidateTheirOwnBounds() {
        assertThatThrownBy(() -> PlanConstraints.DEFAULT.withLlcs(5, 2)).hasMessageContaining("min_llcs > max_llcs");
        assertThatThrownBy(() -> PlanConstraints.DEFAULT.withCpus(0, 2)).hasMessageContaining("min_cpus must be >= 1");
    }
}
