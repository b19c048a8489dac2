package dev.ktstr.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellOptionsTest {

    @Test
    void includeBareNameSearchesCwdThenPath(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("tool"), "x");
        assertThat(IncludeResolver.resolveOne("tool", dir, "/nonexistent:" + bin)).isEqualTo(bin.resolve("tool"));
        Files.writeString(dir.resolve("tool"), "here");
        assertThat(IncludeResolver.resolveOne("tool", dir, bin.toString())).isEqualTo(dir.resolve("tool"));
        assertThatThrownBy(() -> IncludeResolver.resolveOne("nope", dir, bin.toString())).hasMessageContaining("not found").hasMessageContaining("nope");
        assertThatThrownBy(() -> IncludeResolver.resolveOne("./missing", dir, "")).hasMessageContaining("does not exist");
    }

    @Test
    void memoryEstimateCoversInitramfsAndCpus() {
        assertThat(MemoryEstimate.defaultMb(Topology.parse("1,1,1,1"), 2 << 20)).isEqualTo(256 + 4);
        assertThat(MemoryEstimate.defaultMb(Topology.parse("1,4,4,2"), 0)).isEqualTo(32 * 64);
        assertThatThrownBy(() -> MemoryEstimate.requireFits(128, 100L << 20)).hasMessageContaining("at least 264");
    }

    @Test
    void initScriptIsOnTheClasspathAndHandlesEveryMode() throws Exception {
        String init = new String(ShellCommand.initScript(), StandardCharsets.UTF_8);
        assertThat(init).startsWith("#!/bin/busybox sh");
        assertThat(init).contains("ktstr.mode=").contains("exec)").contains("shell)").contains("test)")
                .contains("/ktstr/bin/agent-start").contains(ShellCommand.EXEC_CMD).contains("KTSTR_INIT_STARTED").contains("KTSTR_EXIT=")
                .contains("/include-files").contains("cgroup2").contains("poweroff -f");
    }
}
