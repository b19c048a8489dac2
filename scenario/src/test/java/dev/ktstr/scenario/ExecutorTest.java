package dev.ktstr.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import dev.ktstr.scenario.work.AffinityKind;
import dev.ktstr.scenario.work.MemPolicy;
import dev.ktstr.scenario.work.WorkType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutorTest {

    private final FakeBackend be = new FakeBackend(new Topology(1, 2, 2, 1));

    private Ctx ctx() {
        return Ctx.builder(be, TestConfig.DEFAULT).build();
    }

    @Test
    void executeDefsCreatesSpawnsReleasesHoldsThenTearsDown() {
        AssertResult r = Scenarios.executeDefs(ctx(), List.of(CgroupDef.named("cg_0").workers(3), CgroupDef.named("cg_1")));
        assertThat(r.passed()).as(r.toString()).isTrue();
        assertThat(be.actions()).containsExactly("start", "create cg_0", "create cg_1", "spawn cg_0 x3 CpuSpin",
                "spawn cg_1 x2 CpuSpin", "release x5", "stop cg_0 x3", "stop cg_1 x2", "remove cg_1", "remove cg_0", "end");
        assertThat(be.elapsedNs()).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(r.stats().totalWorkers()).isEqualTo(5);
        assertThat(r.stats().cgroups()).extracting(c -> c.cgroup()).containsExactly("cg_0", "cg_1");
    }

    @Test
    void opsRunBeforeSetupSoParentsExist() {
        Step s = new Step(new Step.Defs(List.of(CgroupDef.named("p/child"))), List.of(Op.addCgroup("p")), HoldSpec.frac(0.5));
        AssertResult r = Scenarios.executeSteps(ctx(), List.of(s));
        assertThat(r.passed()).isTrue();
        List<String> a = be.actions();
        assertThat(a.indexOf("create p")).isLessThan(a.indexOf("create p/child"));
        // children removed before parents
        assertThat(a.indexOf("remove p/child")).isLessThan(a.indexOf("remove p"));
        assertThat(be.liveCgroups).isEmpty();
    }

    @Test
    void stepStateIsTornDownAtStepEndButBackdropPersists() {
        Backdrop b = Backdrop.of(List.of(CgroupDef.named("bg")));
        List<Step> steps = List.of(
                Step.withDefs(List.of(CgroupDef.named("s0")), HoldSpec.frac(0.5)),
                Step.withDefs(List.of(CgroupDef.named("s1")), HoldSpec.frac(0.5)));
        AssertResult r = Scenarios.executeScenario(ctx(), b, steps, null);
        assertThat(r.passed()).as(r.toString()).isTrue();
        List<String> a = be.actions();
        assertThat(a).containsSubsequence("create bg", "spawn bg x2 CpuSpin", "release x2",
                "create s0", "spawn s0 x2 CpuSpin", "release x2", "stop s0 x2", "remove s0",
                "create s1", "spawn s1 x2 CpuSpin", "release x2", "stop s1 x2", "remove s1",
                "end", "stop bg x2", "remove bg");
        assertThat(a.indexOf("remove s0")).isLessThan(a.indexOf("create s1"));
        assertThat(a.indexOf("stop bg x2")).isGreaterThan(a.indexOf("remove s1"));
        // one check per step cgroup plus the backdrop cgroup
        assertThat(r.stats().cgroups()).extracting(c -> c.cgroup()).containsExactly("s0", "s1", "bg");
    }

    @Test
    void stepMayNotShadowOrRemoveBackdropCgroups() {
        Backdrop b = Backdrop.of(List.of(CgroupDef.named("bg")));
        AssertResult shadow = Scenarios.executeScenario(ctx(), b, List.of(Step.withDefs(List.of(CgroupDef.named("bg")), HoldSpec.FULL)), null);
        assertThat(shadow.passed()).isFalse();
        assertThat(shadow.details().get(0).message()).startsWith("step 0 failed: cgroup 'bg' is already a backdrop cgroup");
        FakeBackend be2 = new FakeBackend(new Topology(1, 1, 2, 1));
        AssertResult remove = Scenarios.executeScenario(Ctx.builder(be2, TestConfig.DEFAULT).build(), b,
                List.of(Step.of(List.of(Op.removeCgroup("bg")), HoldSpec.FULL)), null);
        assertThat(remove.passed()).isFalse();
        assertThat(remove.details().get(0).message()).contains("steps may not remove backdrop cgroup 'bg'");
        assertThat(be2.liveCgroups).isEmpty();
    }

    @Test
    void cpusetOpsResolveAgainstTopology() {
        Step s = new Step(new Step.Defs(List.of()), List.of(Op.addCgroup("a"), Op.addCgroup("b"),
                Op.setCpuset("a", CpusetSpec.disjoint(0, 2)), Op.setCpuset("b", CpusetSpec.disjoint(1, 2)),
                Op.swapCpusets("a", "b"), Op.clearCpuset("a")), HoldSpec.FULL);
        AssertResult r = Scenarios.executeSteps(ctx(), List.of(s));
        assertThat(r.passed()).isTrue();
        // 4 CPUs → usable 0-2; disjoint halves: {0}, {1,2}
        assertThat(be.actions()).containsSubsequence("cpuset a 0", "cpuset b 1-2", "cpuset a 1-2", "cpuset b 0", "cpuset a ");
    }

    @Test
    void unknownCgroupInOpFailsTheStepWithAHint() {
        AssertResult r = Scenarios.executeSteps(ctx(), List.of(Step.of(List.of(Op.spawn("nope", Work.DEFAULT)), HoldSpec.FULL)));
        assertThat(r.passed()).isFalse();
        assertThat(r.details().get(0).message()).isEqualTo(
                "step 0 failed: SPAWN names unknown cgroup 'nope'; create it first (Op.addCgroup or a CgroupDef); live cgroups: []");
    }

    @Test
    void invalidCpusetAbortsStepAndCleansUp() {
        AssertResult r = Scenarios.executeDefs(ctx(), List.of(CgroupDef.named("a").cpuset(CpusetSpec.disjoint(0, 5))));
        assertThat(r.passed()).isFalse();
        assertThat(r.details().get(0).message()).contains("cannot split 3 usable CPUs into 5 partitions");
        assertThat(be.liveCgroups).isEmpty();
    }

    @Test
    void starvedWorkerFailsTheStep() {
        be.reporter = h -> FakeBackend.healthy(h.pid(), h.spec().cgroup(), h.spec().workerIndex(), h.spec().workerIndex() == 1 ? 0 : 500);
        AssertResult r = Scenarios.executeDefs(ctx(), List.of(CgroupDef.named("cg_0")));
        assertThat(r.passed()).isFalse();
        assertThat(r.details()).extracting(d -> d.kind()).containsExactly(DetailKind.STARVED);
        assertThat(r.details().get(0).message()).isEqualTo("tid 101 starved (0 work units)");
    }

    @Test
    void schedulerDeathBetweenStepsFailsWithSpecMessage() {
        be.schedulerDiesAtNs = Duration.ofMillis(1500).toNanos();
        List<Step> steps = List.of(Step.withDefs(List.of(CgroupDef.named("a")), HoldSpec.fixed(Duration.ofSeconds(1))),
                Step.withDefs(List.of(CgroupDef.named("b")), HoldSpec.fixed(Duration.ofSeconds(1))),
                Step.withDefs(List.of(CgroupDef.named("c")), HoldSpec.fixed(Duration.ofSeconds(1))));
        AssertResult r = Scenarios.executeSteps(ctx(), steps);
        assertThat(r.passed()).isFalse();
        assertThat(r.details(DetailKind.SCHEDULER_DIED)).hasSize(1);
        assertThat(r.details(DetailKind.SCHEDULER_DIED).get(0).message())
                .isEqualTo("scheduler process died unexpectedly during step 1 of 3 (1.5s into test)");
        assertThat(be.actions()).doesNotContain("create c");
        assertThat(be.liveCgroups).isEmpty();
    }

    @Test
    void schedulerDeathBeforeNextStep() {
        // dies while step 0 is being torn down (stopping workers takes 1 ms in the fake)
        be.stopCostNs = 1_000_000;
        be.schedulerDiesAtNs = Duration.ofSeconds(1).toNanos() + 500_000;
        List<Step> steps = List.of(Step.withDefs(List.of(CgroupDef.named("a")), HoldSpec.fixed(Duration.ofSeconds(1))),
                Step.of(List.of(), HoldSpec.fixed(Duration.ofSeconds(1))));
        AssertResult r = Scenarios.executeSteps(ctx(), steps);
        assertThat(r.details(DetailKind.SCHEDULER_DIED)).extracting(d -> d.message())
                .containsExactly("scheduler process died unexpectedly after completing step 1 of 2 (1.0s into test)");
    }

    @Test
    void invalidHoldIsRejectedBeforeAnything() {
        AssertResult r = Scenarios.executeSteps(ctx(), List.of(Step.of(List.of(), HoldSpec.frac(0))));
        assertThat(r.passed()).isFalse();
        assertThat(r.details().get(0).message()).isEqualTo("step 0 has an invalid hold: HoldSpec.Frac must be finite and > 0, got 0.0");
        assertThat(be.calls).isEmpty();
    }

    @Test
    void loopRepeatsOpsUntilScenarioDeadline() {
        Backdrop b = Backdrop.of(List.of(CgroupDef.named("bg")));
        Step loop = new Step(null, List.of(Op.setAffinity("bg", AffinityKind.SINGLE_CPU)), HoldSpec.loop(Duration.ofMillis(500)));
        AssertResult r = Scenarios.executeScenario(ctx(), b, List.of(loop), null);
        assertThat(r.passed()).isTrue();
        long affinityCalls = be.calls.stream().filter(c -> c.startsWith("affinity")).count();
        // applied once at start + after each 500 ms interval before the 2 s deadline (0.5, 1.0, 1.5): 4 applications × 2 workers
        assertThat(affinityCalls).isEqualTo(8);
        assertThat(be.stimuli).hasSize(4);
        assertThat(be.elapsedNs()).isEqualTo(Duration.ofSeconds(2).toNanos());
    }

    @Test
    void stimulusDescribesAppliedOps() {
        Step s = new Step(new Step.Defs(List.of(CgroupDef.named("x"))), List.of(Op.addCgroup("p"), Op.spawnHost(Work.of(WorkType.cpuSpin(), 1))), HoldSpec.FULL);
        Scenarios.executeSteps(ctx(), List.of(s));
        assertThat(be.stimuli).hasSize(1);
        var ev = be.stimuli.get(0);
        assertThat(ev.opCount()).isEqualTo(2);
        assertThat(ev.opKindMask()).isEqualTo((1L << OpKind.ADD_CGROUP.ordinal()) | (1L << OpKind.SPAWN_HOST.ordinal()));
        assertThat(ev.liveCgroups()).isEqualTo(2);
        assertThat(ev.workerCount()).isEqualTo(3);
        assertThat(ev.iterationsSum()).isEqualTo(30);
    }

    @Test
    void affinityKindsResolvePerSpec() {
        List<CgroupDef> defs = List.of(
                CgroupDef.named("llc").cpuset(CpusetSpec.exact(1, 2)).affinity(AffinityKind.LLC_ALIGNED).workers(1),
                CgroupDef.named("single").cpuset(CpusetSpec.exact(2, 3)).affinity(AffinityKind.SINGLE_CPU).workers(1),
                CgroupDef.named("cross").cpuset(CpusetSpec.exact(0)).affinity(AffinityKind.CROSS_CGROUP).workers(1),
                CgroupDef.named("exact").cpuset(CpusetSpec.exact(0, 1)).affinity(AffinityKind.exact(1, 3)).workers(1));
        Scenarios.executeDefs(ctx(), defs);
        // topology 1n2l2c1t: LLC0 = {0,1}, LLC1 = {2,3}; pool {1,2} overlaps both by 1 → first LLC wins
        assertThat(be.actions()).contains("spawn llc x1 CpuSpin aff=1", "spawn single x1 CpuSpin aff=2",
                "spawn cross x1 CpuSpin aff=0-3", "spawn exact x1 CpuSpin aff=1");
    }

    @Test
    void memPolicyOutsideCpusetNodesIsASetupError() {
        FakeBackend numa = new FakeBackend(new Topology(2, 2, 2, 1));
        AssertResult r = Scenarios.executeDefs(Ctx.builder(numa, TestConfig.DEFAULT).build(),
                List.of(CgroupDef.named("a").cpuset(CpusetSpec.llc(0)).memPolicy(MemPolicy.bind(1))));
        assertThat(r.passed()).isFalse();
        assertThat(r.details().get(0).message()).contains("MemPolicy BIND nodes [1] are not all reachable from its cpuset 0-1 (NUMA nodes [0])");
        assertThat(numa.liveCgroups).isEmpty();
    }

    @Test
    void workTypeOverrideOnlyForSwappableDefsAndDivisibleCounts() {
        Ctx c = Ctx.builder(be, TestConfig.DEFAULT).workTypeOverride(WorkType.pipeIo(1024)).build();
        Scenarios.executeDefs(c, List.of(CgroupDef.named("a").swappable(true), CgroupDef.named("b"),
                CgroupDef.named("odd").swappable(true).workers(3)));
        assertThat(be.actions()).contains("spawn a x2 PipeIo", "spawn b x2 CpuSpin", "spawn odd x3 CpuSpin");
    }

    @Test
    void groupedWorkTypeWithWrongCountFails() {
        AssertResult r = Scenarios.executeDefs(ctx(), List.of(CgroupDef.named("a").workType(WorkType.pipeIo(1024)).workers(3)));
        assertThat(r.details().get(0).message()).isEqualTo("step 0 failed: PipeIo requires num_workers divisible by 2, got 3");
    }

    @Test
    void stopAndRemoveOpsCollectReportsForChecks() {
        Step s = new Step(new Step.Defs(List.of(CgroupDef.named("a"), CgroupDef.named("b"))), List.of(), HoldSpec.frac(0.5));
        Step s2 = Step.of(List.of(), HoldSpec.frac(0.5));
        Backdrop b = new Backdrop(List.of(), List.of(), List.of(Op.addCgroup("x"), Op.spawn("x", WorkType.cpuSpin(), 2)));
        Step stop = Step.of(List.of(Op.stopCgroup("x")), HoldSpec.frac(0.5));
        AssertResult r = Scenarios.executeScenario(ctx(), b, List.of(s, s2, stop), null);
        assertThat(r.passed()).isTrue();
        // x's workers were stopped by the op in step 2 and checked with that step
        assertThat(r.stats().cgroups()).extracting(cs -> cs.cgroup()).containsExactly("a", "b", "x");
        assertThat(be.actions()).containsSubsequence("stop x x2", "end", "remove x");
    }

    @Test
    void moveAllTasksTracksWorkersToTheNewCgroup() {
        Backdrop b = new Backdrop(List.of(), List.of(), List.of(Op.addCgroup("p"), Op.addCgroup("p/a"), Op.spawn("p/a", Work.DEFAULT)));
        AssertResult r = Scenarios.executeScenario(ctx(), b, List.of(Step.of(List.of(Op.moveAllTasks("p/a", "p")), HoldSpec.FULL)), null);
        assertThat(r.passed()).isTrue();
        assertThat(r.stats().cgroups()).extracting(cs -> cs.cgroup()).containsExactly("p");
    }

    @Test
    void payloadOpsAndNonZeroExitFails() {
        Payload p = Payload.of("stress", "/usr/bin/stress-ng", "--cpu", "1");
        be.payloadExitCode = 3;
        Step s = Step.of(List.of(Op.runPayload(p, "-t", "1"), Op.waitPayload("stress")), HoldSpec.FULL);
        AssertResult r = Scenarios.executeSteps(ctx(), List.of(s));
        assertThat(r.passed()).isFalse();
        assertThat(r.details().get(0).message()).isEqualTo("payload stress exited with code 3: boom");
        assertThat(be.actions()).contains("payload run stress --cpu 1 -t 1 in <root>", "payload wait stress");
    }

    @Test
    void stepPayloadStillRunningIsKilledAtStepEnd() {
        Payload p = Payload.of("sleeper", "sleep", "100");
        AssertResult r = Scenarios.executeSteps(ctx(), List.of(Step.withPayload(p, HoldSpec.FULL)));
        assertThat(r.passed()).isTrue();
        assertThat(be.actions()).containsSubsequence("payload run sleeper 100 in <root>", "payload kill sleeper", "end");
    }

    @Test
    void incompleteWorkerReportFails() {
        be.reporter = h -> WorkerReport.sentinel(h.pid(), h.spec().cgroup(), h.spec().workerIndex(), "CpuSpin",
                dev.ktstr.scenario.report.ExitInfo.signaled(9));
        AssertResult r = Scenarios.executeDefs(ctx(), List.of(CgroupDef.named("a").workers(1)));
        assertThat(r.passed()).isFalse();
        assertThat(r.details()).extracting(d -> d.message())
                .containsExactly("tid 100 in a produced no report (killed by signal 9)", "tid 100 starved (0 work units)");
    }

    @Test
    void mapWriteWaitHappensBeforeSetup() {
        Ctx c = Ctx.builder(be, TestConfig.DEFAULT).waitForMapWrite(true).build();
        Scenarios.steady(c);
        assertThat(be.actions().subList(0, 3)).containsExactly("start", "await map write", "create cg_0");
    }

    @Test
    void settleSleepsAfterCgroupCreation() {
        Ctx c = Ctx.builder(be, TestConfig.DEFAULT).settle(Ctx.VM_SETTLE).build();
        Scenarios.steady(c);
        // hold is measured from after the setup, so total = settle + duration
        assertThat(be.elapsedNs()).isEqualTo(Duration.ofMillis(2500).toNanos());
    }

    @Test
    void backdropWorkersLeftInAStepCgroupAreStoppedAndReported() {
        Backdrop b = Backdrop.of(List.of(CgroupDef.named("bg")));
        Step s = new Step(new Step.Defs(List.of(CgroupDef.named("tmp").workers(1))), List.of(), HoldSpec.frac(0.5))
                .setOps(List.of());
        Step move = Step.of(List.of(Op.addCgroup("tmp2"), Op.moveAllTasks("bg", "tmp2")), HoldSpec.frac(0.5));
        AssertResult r = Scenarios.executeScenario(ctx(), b, List.of(s, move), null);
        assertThat(r.passed()).isFalse();
        assertThat(r.details().get(0).message()).startsWith("step 1 ended with 2 workers of the backdrop inside its cgroups");
        assertThat(be.workerCgroup).isEmpty();
        assertThat(be.liveCgroups).isEmpty();
    }
}
