package dev.ktstr.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.verify.AssertResult;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CannedScenariosTest {

    private FakeBackend be;

    private AssertResult run(Topology t, Function<Ctx, AssertResult> scenario) {
        be = new FakeBackend(t);
        AssertResult r = scenario.apply(Ctx.builder(be, TestConfig.DEFAULT).build());
        assertThat(be.liveCgroups).as("cgroups left behind").isEmpty();
        assertThat(be.workerCgroup).as("workers left running").isEmpty();
        return r;
    }

    private static final Topology T8 = new Topology(1, 2, 4, 1);

    @Test
    void steady() {
        assertThat(run(T8, Scenarios::steady).passed()).isTrue();
        assertThat(be.actions()).containsExactly("start", "create cg_0", "create cg_1", "spawn cg_0 x2 CpuSpin", "spawn cg_1 x2 CpuSpin",
                "release x4", "stop cg_0 x2", "stop cg_1 x2", "remove cg_1", "remove cg_0", "end");
    }

    @Test
    void steadyLlcPinsAndSkipsOnOneLlc() {
        assertThat(run(T8, Scenarios::steadyLlc).passed()).isTrue();
        assertThat(be.actions()).contains("cpuset cg_0 0-3", "cpuset cg_1 4-7");
        AssertResult skip = run(Topology.DEFAULT, Scenarios::steadyLlc);
        assertThat(skip.skipped()).isTrue();
        assertThat(be.calls).isEmpty();
    }

    @Test
    void oversubscribed() {
        run(T8, Scenarios::oversubscribed);
        assertThat(be.actions()).contains("spawn cg_0 x32 Mixed", "spawn cg_1 x32 Mixed");
    }

    @Test
    void cpusetApplyAppliesMidRunOnPersistentCgroups() {
        assertThat(run(T8, Scenarios::cpusetApply).passed()).isTrue();
        assertThat(be.actions()).containsExactly("start", "create cg_0", "create cg_1", "spawn cg_0 x2 CpuSpin", "spawn cg_1 x2 CpuSpin",
                "release x4", "cpuset cg_0 0-2", "cpuset cg_1 3-6", "end", "stop cg_0 x2", "stop cg_1 x2", "remove cg_1", "remove cg_0");
        assertThat(be.stimuli).extracting(s -> s.elapsedMs()).containsExactly(0L, 1000L);
    }

    @Test
    void cpusetClear() {
        run(T8, Scenarios::cpusetClear);
        assertThat(be.actions()).containsSubsequence("cpuset cg_0 0-2", "cpuset cg_1 3-6", "release x4", "cpuset cg_0 ", "cpuset cg_1 ", "end");
    }

    @Test
    void cpusetResize() {
        run(T8, Scenarios::cpusetResize);
        // U = 0-6, quarter = 1
        assertThat(be.actions()).containsSubsequence("cpuset cg_0 0-2", "cpuset cg_1 3-6", "cpuset cg_0 0", "cpuset cg_1 1-6",
                "cpuset cg_0 0-5", "cpuset cg_1 6");
        assertThat(run(Topology.DEFAULT, Scenarios::cpusetResize).skipped()).isTrue();
    }

    @Test
    void cgroupAddAddsTwoMidRunWhenThereIsRoom() {
        run(T8, Scenarios::cgroupAdd);
        List<String> a = be.actions();
        assertThat(a).containsSubsequence("create cg_0", "create cg_1", "release x4", "create cg_2", "create cg_3", "release x4",
                "stop cg_2 x2", "stop cg_3 x2", "end", "stop cg_0 x2");
        run(Topology.DEFAULT, Scenarios::cgroupAdd);
        assertThat(be.actions()).contains("create cg_2").doesNotContain("create cg_3");
    }

    @Test
    void cgroupRemoveDropsSecondHalfAtHalfTime() {
        run(T8, Scenarios::cgroupRemove);
        assertThat(be.actions()).containsSubsequence("create cg_2", "create cg_3", "stop cg_2 x2", "stop cg_3 x2", "remove cg_3", "remove cg_2",
                "end", "stop cg_0 x2", "stop cg_1 x2");
        assertThat(be.elapsedNs()).isEqualTo(2_000_000_000L);
    }

    @Test
    void affinityChangeRandomisesFourTimes() {
        run(T8, Scenarios::affinityChange);
        List<String> aff = be.calls.stream().filter(c -> c.startsWith("affinity")).toList();
        assertThat(aff).hasSize(16); // 4 steps × 4 workers
        for (String c : aff) {
            // random half of all 8 CPUs (no cpuset) = 4 CPUs
            String cpus = c.substring(c.lastIndexOf(' ') + 1);
            assertThat(CpuSets.parse(cpus)).hasSize(4);
        }
    }

    @Test
    void affinityPinnedSharesTwoCpus() {
        run(T8, Scenarios::affinityPinned);
        assertThat(be.actions()).contains("spawn cg_0 x2 CpuSpin aff=0-1", "spawn cg_1 x2 CpuSpin aff=0-1");
    }

    @Test
    void hostContentionSpawnsOneRootWorkerPerCpuAndDoesNotCheckThem() {
        AssertResult r = run(T8, Scenarios::hostContention);
        assertThat(be.actions()).contains("spawn <root> x8 CpuSpin", "stop <root> x8");
        assertThat(r.stats().cgroups()).extracting(c -> c.cgroup()).containsExactly("cg_0", "cg_1");
    }

    @Test
    void mixedWorkloads() {
        run(T8, Scenarios::mixedWorkloads);
        assertThat(be.actions()).contains("spawn cg_0 x2 CpuSpin", "spawn cg_1 x2 Bursty", "spawn cg_2 x2 IoSync");
    }

    @Test
    void nestedSteadyCreatesParentsFirstAndRemovesLeavesFirst() {
        AssertResult r = run(T8, Scenarios::nestedSteady);
        assertThat(r.passed()).isTrue();
        List<String> a = be.actions();
        assertThat(a).containsSubsequence("create cg_0", "create cg_1", "create cg_1/sub_a", "create cg_0/sub_a", "create cg_0/sub_b",
                "create cg_1/sub_b", "create cg_1/sub_a/deep");
        assertThat(a.indexOf("remove cg_1/sub_a/deep")).isLessThan(a.indexOf("remove cg_1/sub_a"));
        assertThat(a.indexOf("remove cg_1/sub_a")).isLessThan(a.indexOf("remove cg_1"));
        assertThat(r.stats().cgroups()).hasSize(4);
    }

    @Test
    void nestedTaskMove() {
        AssertResult r = run(T8, Scenarios::nestedTaskMove);
        assertThat(be.actions()).containsSubsequence("spawn cg_0/sub_a x2 CpuSpin", "move cg_0/sub_a -> cg_0", "move cg_0 -> cg_0/sub_b",
                "move cg_0/sub_b -> cg_0", "end", "stop cg_0 x2");
        assertThat(r.stats().cgroups()).extracting(c -> c.cgroup()).containsExactly("cg_0");
    }
}
