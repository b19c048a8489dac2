package dev.ktstr.coordinator.testrun;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    static VariantOutcome outcome(String test, String worker, ObjectNode payload) {
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
    void aWorkersOwnHostReportWinsAndAnUnreadableOneFallsBackWithADetail() {
        SidecarMapper m = new SidecarMapper("r1", null, "tcg", w -> host("local"));
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.set("host", SidecarCodec.mapper().valueToTree(host("remote-worker-7")));
        Sidecar remote = m.map(outcome("a", "worker7:2552", p), KERNEL);
        assertThat(remote.host().hostname()).isEqualTo("remote-worker-7");
        assertThat(remote.host().schedTunables()).containsEntry("sched_autogroup_enabled", "1");

        ObjectNode bad = JsonNodeFactory.instance.objectNode();
        bad.putObject("host").put("online_cpus", "many");
        Sidecar fallback = m.map(outcome("b", "worker8:2552", bad), KERNEL);
        assertThat(fallback.host().hostname()).isEqualTo("local");
        assertThat(fallback.details()).anySatisfy(d -> assertThat(d.message()).contains("worker host context did not parse"));
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
