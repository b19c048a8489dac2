package dev.ktstr.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.sidecar.HostContext;
import dev.ktstr.host.HostContextProbe;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import dev.ktstr.protocol.sidecar.SidecarStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostAndCommitProbeTest {
    @TempDir
    Path tmp;

    @Test
    void hostContextOfThisMachineValidates() {
        HostContext h = HostContextProbe.capture();
        assertThat(h.arch()).isNotBlank();
        assertThat(h.onlineCpus()).isPositive();
        if (Files.exists(Path.of("/proc/cpuinfo"))) {
            assertThat(h.kernelRelease()).isNotBlank();
            assertThat(h.totalMemoryKb()).isPositive();
        }
        Sidecar s = Sidecar.builder("t").host(h).build();
        assertThat(SidecarCodec.validate(SidecarCodec.toTree(s))).isEmpty();
    }

    @Test
    void commitIsNullOutsideGitAndSevenHexInside() throws Exception {
        assertThat(ProjectCommit.detect(tmp)).isNull();
        Path here = Path.of("").toAbsolutePath();
        String c = ProjectCommit.detect(here);
        if (c != null) { // the build tree is a git checkout here, but a source tarball is not
            assertThat(c).matches("[0-9a-f]{7}(-dirty)?");
        }
    }

    @Test
    void nonFiniteStatisticIsRefusedAtWriteTime() throws Exception {
        RunDir run = RunStore.open(tmp).newRun(RunInfo.of("6.12.117", null));
        SidecarStats nan = new SidecarStats(List.of(), 1, 1, 0, Double.NaN, 0, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of());
        assertThatThrownBy(() -> run.write(Sidecar.builder("t").stats(nan).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("worst_spread");
        assertThat(run.sidecarFiles()).isEmpty();
    }
}
