package dev.ktstr.vmm.initramfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncludeSpecTest {
    @TempDir
    Path tmp;

    @Test
    void bareNamesLookInCwdThenPath() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("tool"), "#!/bin/sh\n");
        IncludeSpec fromPath = IncludeSpec.resolve("tool", cwd, "/nonexistent:" + bin);
        assertThat(fromPath.hostPath()).isEqualTo(bin.resolve("tool"));
        assertThat(fromPath.guestPath()).isEqualTo("/include-files/tool");
        Files.writeString(cwd.resolve("tool"), "local");
        assertThat(IncludeSpec.resolve("tool", cwd, bin.toString()).hostPath()).isEqualTo(cwd.resolve("tool"));
        assertThatThrownBy(() -> IncludeSpec.resolve("nope", cwd, bin.toString()))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nope").hasMessageContaining("PATH");
    }

    @Test
    void pathsMustExistAndDirectoriesKeepTheirName() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("cwd/data"));
        assertThat(IncludeSpec.resolve("./data", tmp.resolve("cwd"), "").guestPath()).isEqualTo("/include-files/data");
        assertThatThrownBy(() -> IncludeSpec.resolve("./missing", tmp.resolve("cwd"), ""))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("missing");
        assertThat(IncludeSpec.resolve(cwd.toString(), tmp, "").hostPath()).isEqualTo(cwd);
    }

    @Test
    void guestPathsAreValidated() {
        assertThatThrownBy(() -> new IncludeSpec(tmp, "/a/../b")).hasMessageContaining("..");
        assertThatThrownBy(() -> new IncludeSpec(tmp, "a/b")).hasMessageContaining("absolute");
        assertThat(GuestPaths.entryName("//a/./b//c/")).isEqualTo("a/b/c");
    }
}
