package dev.ktstr.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone fixture build's resolution and refusals; the real compile is exercised by FixtureSchedulerIT. */
class FixtureSchedulerTest {

    @TempDir Path tmp;

    @Test
    void sourcesAreShippedAndInstalledIntoTheTree() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tools/sched_ext"));
        FixtureScheduler.installSources(dir);
        assertThat(dir.resolve("scx_ktstr.bpf.c")).content().contains("volatile u64 stall_nth;", "ktstr fixture: error after %llu dispatches");
        assertThat(dir.resolve("scx_ktstr.c")).content().contains("--ignore-sigusr2", "--attach-delay-ms");
        assertThat(FixtureScheduler.sourcesCrc()).matches("[0-9a-f]{8}");
    }

    @Test
    void anEntrysOwnBinaryWinsAndACachedBuildIsReused() throws Exception {
        Path entry = Files.createDirectories(tmp.resolve("entry-key"));
        Path root = tmp.resolve("fixture");
        Path cached = Files.createDirectories(root.resolve("entry-key").resolve(FixtureScheduler.sourcesCrc())).resolve("scx_ktstr");
        Files.writeString(entry.resolve("vmlinux.btf"), "BTF");
        Files.writeString(cached, "#!/bin/sh\n");
        Files.setPosixFilePermissions(cached, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(FixtureScheduler.ensure(entry, root, s -> {}).binary()).isEqualTo(cached);

        Path own = Files.createDirectories(entry.resolve("scx")).resolve("scx_ktstr");
        Files.copy(cached, own);
        FixtureScheduler.Built b = FixtureScheduler.ensure(entry, root, s -> {});
        assertThat(b.binary()).isEqualTo(own);
        assertThat(b.cached()).isTrue();
    }

    @Test
    void aDirectoryThatIsNoCacheEntryIsRefusedWithTheFix() {
        assertThatThrownBy(() -> FixtureScheduler.ensure(tmp, tmp.resolve("fixture"), s -> {}))
                .hasMessageContaining("neither vmlinux.btf nor vmlinux", "KTSTR_TEST_KERNEL");
    }

    @Test
    void anEntryWithoutASourceTarballNamesWhatToInstall() throws Exception {
        Files.writeString(tmp.resolve("metadata.json"), "{\"version\" : \"9.7.1\", \"source\" : {\"type\" : \"git\", \"origin\" : \"https://x\"}}");
        assertThatThrownBy(() -> FixtureScheduler.sourceTarball(tmp))
                .hasMessageContaining("linux-source-9.7", "ktstr kernel build");
    }
}
