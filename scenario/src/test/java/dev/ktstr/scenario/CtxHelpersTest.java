package dev.ktstr.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.topology.Topology;
import org.junit.jupiter.api.Test;

class CtxHelpersTest {
    private final Ctx ctx = Ctx.builder(new FakeBackend(new Topology(1, 2, 2, 1)), TestConfig.DEFAULT).build();

    @Test
    void workersPctIsAShareOfTheUsableCpusAtLeastOne() {
        int usable = ctx.usableCpus().size();
        assertThat(CgroupDef.named("cg").workersPct(ctx, 50).works().get(0).numWorkers()).isEqualTo(Math.max(1, Math.round(usable * 0.5f)));
        assertThat(CgroupDef.named("cg").workersPct(ctx, 200).works().get(0).numWorkers()).isEqualTo(usable * 2);
        assertThat(CgroupDef.named("cg").workersPct(ctx, 1).works().get(0).numWorkers()).isEqualTo(1);
        assertThatThrownBy(() -> CgroupDef.named("cg").workersPct(ctx, 0)).hasMessageContaining("workersPct");
    }

    @Test
    void cpusetCpusResolvesASpecOnThisTopology() {
        assertThat(ctx.cpusetCpus(CpusetSpec.disjoint(0, 2))).isNotEmpty().isSubsetOf(ctx.usableCpus());
        assertThat(ctx.cpusetCpus(CpusetSpec.disjoint(0, 2))).doesNotContainAnyElementsOf(ctx.cpusetCpus(CpusetSpec.disjoint(1, 2)));
    }
}
