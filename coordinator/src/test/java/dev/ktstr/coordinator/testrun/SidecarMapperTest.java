package dev.ktstr.coordinator.testrun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.outcome.VmOutcome;
import dev.ktstr.coordinator.plan.PlanTest;
import dev.ktstr.coordinator.plan.Variant;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.sidecar.HostContext;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SidecarMapperTest {
    static final KernelArtifacts KERNEL = new KernelArtifacts("k", "6.12.117", Path.of("/nonexistent/bzImage"),
            Optional.empty(), Optional.empty(), Optional.empty());

    static HostContext host(String name) {
        return new HostContext(name, "QEMU Virtual CPU", "GenuineIntel", 24_000_000L, 0L, 0L, 2048L, "[always]", "madvise",
                Map.of("sched_autogroup_enabled", "1"), 2, 1, Map.of(), "Linux", "6.1.0", "amd64", "quiet", "17");
    }

    static VariantOutcome outcome(String test, String worker, VmOutcome payload) {
        PlanTest t = PlanTest.defaults(test);
        Variant v = new Variant("ktstr/" + test, t.id(), t, t.topology(), null, List.of(), null, 10, false, 1024, false, false);
        return new VariantOutcome(v, null, new JobResult("job-" + test, v.name(), JobStatus.PASS, "", "", worker, "tcg",
                Map.of("agent_ready", 2000L), 0, payload));
    }

    @Test
    void everySidecarCarriesItsWorkersHostProbedOncePerWorker() {
        List<String> probed = new ArrayList<>();
        SidecarMapper m = new SidecarMapper("r1", "9e4d7fe", "tcg", w -> {
            probed.add(w);
            return host("host-of-" + w);
        });
        Sidecar a = m.map(outcome("a", "local@1", null), KERNEL);
        Sidecar b = m.map(outcome("b", "local@1", null), KERNEL);
        Sidecar c = m.map(outcome("c", "local@2", null), KERNEL);
        Sidecar pre = m.map(outcome("d", null, null), KERNEL); // resolved before dispatch: this host
        assertThat(probed).containsExactly("local@1", "local@2", "");
        assertThat(a.host().hostname()).isEqualTo("host-of-local@1");
        assertThat(b.host()).isSameAs(a.host());
        assertThat(c.host().hostname()).isEqualTo("host-of-local@2");
        assertThat(pre.host().hostname()).isEqualTo("host-of-");
        // what the mapper produces must pass the schema readers apply
        assertThat(SidecarCodec.validate(SidecarCodec.toTree(a))).isEmpty();
    }

    @Test
    void aWorkersOwnHostReportWinsAndNoneFallsBackToTheProbe() {
        SidecarMapper m = new SidecarMapper("r1", null, "tcg", w -> host("local"));
        Sidecar remote = m.map(outcome("a", "worker7:2552", VmOutcome.skipped("x", host("remote-worker-7"))), KERNEL);
        assertThat(remote.host().hostname()).isEqualTo("remote-worker-7");
        assertThat(remote.host().schedTunables()).containsEntry("sched_autogroup_enabled", "1");

        Sidecar fallback = m.map(outcome("b", "worker8:2552", VmOutcome.skipped("x", null)), KERNEL);
        assertThat(fallback.host().hostname()).isEqualTo("local");
    }

    /** What a scx_qmap-style test sends: a step stimulus, a Bursty and a CpuSpin cgroup, a bad frame, a retried boot. */
    static VmOutcome sentByTheGuest() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper m = dev.ktstr.scenario.report.ReportJson.mapper();
        return new VmOutcome(
                new dev.ktstr.protocol.outcome.VmRun("tcg", "no KVM", "microvm",
                        new dev.ktstr.protocol.outcome.VmEnd(dev.ktstr.protocol.outcome.VmEnd.Kind.GUEST_POWEROFF, "guest powered off (exit code 0)", false),
                        9000, List.of(new dev.ktstr.protocol.outcome.VmRun.VmRetry(new dev.ktstr.protocol.outcome.VmEnd(
                                dev.ktstr.protocol.outcome.VmEnd.Kind.KERNEL_PANIC, "kernel crash during boot: Oops: int3", true), 2100))),
                null, m.readTree("{\"passed\":true,\"skipped\":false,\"details\":[],\"stats\":null}"), null, null, null,
                List.of(m.readTree("{\"cgroup\":\"cg_0\",\"workType\":\"Bursty\"}"), m.readTree("{\"cgroup\":\"cg_1\",\"workType\":\"CpuSpin\"}")),
                List.of(new dev.ktstr.protocol.guest.Stimulus(1, 2, "step", "step 1", Map.of("elapsedMs", 1250, "stepIndex", 1, "opCount", 2,
                        "opKindMask", (1 << dev.ktstr.scenario.OpKind.SPAWN.ordinal()) | (1 << dev.ktstr.scenario.OpKind.SET_CPUSET.ordinal()),
                        "liveCgroups", 2, "workerCount", 4, "iterationsSum", 777L))),
                null, List.of(), null, null, null, List.of("data channel offset 96: CRC mismatch"), null, null, host("w"), null);
    }

    @Test
    void theSidecarCarriesWhatTheGuestSentNotPlaceholders() throws Exception {
        dev.ktstr.scenario.TestConfig base = dev.ktstr.scenario.TestConfig.DEFAULT;
        dev.ktstr.scenario.sched.Scheduler qmap = dev.ktstr.scenario.sched.Scheduler.builder("qmap").discover("scx_qmap")
                .sysctl("kernel.sched_cfs_bandwidth_slice_us", "1000").karg("isolcpus={last_cpu}").build();
        dev.ktstr.scenario.TestConfig c = new dev.ktstr.scenario.TestConfig(base.topology(), base.memoryMb(), qmap, base.extraSchedArgs(),
                base.watchdogTimeoutS(), base.testAssert(), null, List.of(), List.of(), base.constraints(), base.durationS(),
                base.workersPerCgroup(), false, false, false, false, null, null, dev.ktstr.protocol.guest.WorkConservationWatchdog.DEFAULT, null, false, 1);
        PlanTest t = PlanTest.defaults("drift");
        Variant v = new Variant("ktstr/drift", t.id(), t, t.topology(), null, List.of(), null, 10, false, 1024, false, false);
        VariantOutcome o = new VariantOutcome(v, new dev.ktstr.scenario.discovery.KtstrTestEntry("a.B", "drift", c),
                new JobResult("job-drift", v.name(), JobStatus.PASS, "passed", "", "w", "tcg", Map.of("teardown", 40L), 0, sentByTheGuest()));
        KernelArtifacts gitKernel = new KernelArtifacts("k", "6.12.0", Path.of("/nonexistent/vmlinux"), Optional.empty(), Optional.empty(),
                Optional.empty(), "3f2a9c1");
        Sidecar s = new SidecarMapper("r1", null, "tcg", w -> host("local")).map(o, gitKernel);

        assertThat(s.stimulusEvents()).singleElement().satisfies(e -> {
            assertThat(e.elapsedMs()).isEqualTo(1250);
            assertThat(e.label()).isEqualTo("step 1");
            assertThat(e.opKind()).isEqualTo("SET_CPUSET+SPAWN");
            assertThat(e.stepIndex()).isEqualTo(1);
            assertThat(e.totalIterations()).isEqualTo(777L);
        });
        assertThat(s.workType()).isEqualTo("Bursty+CpuSpin");
        assertThat(s.sysctls()).containsExactly("sysctl.kernel.sched_cfs_bandwidth_slice_us=1000");
        int lastCpu = v.topology().totalCpus() - 1;
        assertThat(s.kargs()).containsExactly("isolcpus=" + lastCpu);
        assertThat(s.kernelCommit()).isEqualTo("3f2a9c1");
        assertThat(s.details()).anySatisfy(d -> assertThat(d.kind() + ": " + d.message()).isEqualTo("CHANNEL: data channel offset 96: CRC mismatch"));
        assertThat(s.details()).anySatisfy(d -> assertThat(d.kind() + ": " + d.message())
                .isEqualTo("VM_RETRY: retried after kernel crash during boot: Oops: int3 (2100 ms)"));
        assertThat(s.host().hostname()).isEqualTo("w");
        assertThat(SidecarCodec.validate(SidecarCodec.toTree(s))).isEmpty();
    }

    @Test
    void aRecordedRealOutcomeMakesATruthfulSidecar() throws Exception {
        JobResult r;
        try (var in = getClass().getResourceAsStream("/dev/ktstr/coordinator/verdict/sched-death-qmap-bpf-error.json")) {
            r = new com.fasterxml.jackson.databind.ObjectMapper().readValue(in, JobResult.class);
        }
        PlanTest t = PlanTest.defaults("qmap_bpf_error_ejected");
        Variant v = new Variant("ktstr/qmap_bpf_error_ejected", t.id(), t, t.topology(), null, List.of(), null, 10, false, 1024, false, false);
        Sidecar s = new SidecarMapper("r1", null, "tcg", w -> host("local")).map(new VariantOutcome(v, null, r), KERNEL);
        assertThat(s.stimulusEvents()).singleElement().satisfies(e -> {
            assertThat(e.elapsedMs()).isEqualTo(30399);
            assertThat(e.label()).isEqualTo("step 0");
            assertThat(e.stepIndex()).isEqualTo(0);
            assertThat(e.opKind()).isNull(); // step 0 applied no ops
            assertThat(e.detail()).isEqualTo("0 ops, 2 cgroups, 4 workers");
        });
        assertThat(s.workType()).isEqualTo("CpuSpin");
        assertThat(s.stats().cgroups()).extracting(c -> c.name() + "=" + c.workType()).containsExactly("cg_0=CpuSpin", "cg_1=CpuSpin");
        assertThat(s.details()).anySatisfy(d -> assertThat(d.kind()).isEqualTo("SCHEDULER_DIED"));
        assertThat(s.kernelCommit()).isNull(); // the recording's kernel came from no git tree
        assertThat(s.host().hostname()).isEqualTo(r.outcome().host().hostname());
        assertThat(SidecarCodec.validate(SidecarCodec.toTree(s))).isEmpty();
    }

    @Test
    void unknownFactsAreNullNotPlaceholders() {
        Sidecar s = new SidecarMapper("r1", null, "tcg", w -> host("local")).map(outcome("none", "w", null), KERNEL);
        assertThat(s.workType()).isNull();
        assertThat(s.kernelCommit()).isNull();
        assertThat(s.stimulusEvents()).isEmpty();
        assertThat(SidecarCodec.validate(SidecarCodec.toTree(s))).isEmpty();
    }

    @Test
    void theDefaultProbeReadsThisHost() {
        Sidecar s = new SidecarMapper("r1", null, "tcg").map(outcome("a", "local@1", null), KERNEL);
        assertThat(s.host()).isNotNull();
        assertThat(s.host().arch()).isEqualTo(System.getProperty("os.arch"));
        assertThat(s.host().onlineCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(s.host().kernelRelease()).isNotBlank();
    }
}
