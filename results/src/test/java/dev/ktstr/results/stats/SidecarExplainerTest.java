package dev.ktstr.results.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.protocol.sidecar.PayloadMetrics;
import dev.ktstr.protocol.sidecar.Sidecar;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** explain-sidecar says what is true of the sidecars this version writes. */
class SidecarExplainerTest {
    static SidecarExplainer.FieldReport field(List<Sidecar> sidecars, String name) {
        List<LoadedSidecar> loaded = sidecars.stream().map(s -> new LoadedSidecar("r", Path.of(s.testName() + ".json"), s)).toList();
        return SidecarExplainer.explain(new LoadResult(loaded, List.of(), loaded.size())).stream()
                .filter(f -> f.field().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aMonitorThatSampledButDidNotJudgeIsExpectedNotAFaultToFix() {
        Sidecar judgedNothing = Sidecar.builder("ktstr/qmap_bpf_error_ejected").scheduler("scx_qmap").workType("CpuSpin")
                .metrics(List.of(new PayloadMetrics("host_monitor", Map.of("avg_nr_running", 1.0)))).build();
        SidecarExplainer.FieldReport f = field(List.of(judgedNothing), "monitor");
        assertThat(f.classification()).isEqualTo("expected");
        assertThat(f.causes()).singleElement().asString().contains("its checks did not run");

        Sidecar noMonitor = Sidecar.builder("ktstr/qmap_steady").scheduler("scx_qmap").build();
        assertThat(field(List.of(noMonitor), "monitor").classification()).isEqualTo("actionable");
    }

    @Test
    void aNullWorkTypeIsExplainedByWhatHappened() {
        Sidecar skipped = Sidecar.builder("ktstr/a").workType(null).skipped("performance mode: no CPUs").build();
        Sidecar noWorkers = Sidecar.builder("ktstr/b").workType(null).failed("INFRA_ERROR: boot").build();
        SidecarExplainer.FieldReport f = field(List.of(skipped, noWorkers), "work_type");
        assertThat(f.noneCount()).isEqualTo(2);
        assertThat(f.classification()).isEqualTo("expected");
        assertThat(f.causes()).containsExactly("variant skipped",
                "no worker reported (the variant ended before its scenario ran workers)");
        Sidecar real = Sidecar.builder("ktstr/c").workType("Bursty+CpuSpin").build();
        assertThat(field(List.of(real), "work_type").classification()).isEqualTo("populated");
    }
}
