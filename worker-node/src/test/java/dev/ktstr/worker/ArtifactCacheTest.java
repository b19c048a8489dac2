package dev.ktstr.worker;

import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.ArtifactRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactCacheTest {

    @TempDir
    Path tmp;

    @Test
    void commitsOnlyContentMatchingTheDigest() throws Exception {
        ArtifactCache cache = new ArtifactCache(tmp);
        Path src = tmp.resolve("vmlinux");
        Files.writeString(src, "kernel bytes");
        ArtifactRef ref = new ArtifactRef("vmlinux", ArtifactRef.sha256Of(src), Files.size(src), ArtifactRole.KERNEL_IMAGE);
        assertThat(cache.contains(ref)).isFalse();
        assertThatThrownBy(() -> cache.require(ref)).hasMessageContaining("fetched from the coordinator");

        Path bad = cache.newTempFile(ref.sha256());
        Files.writeString(bad, "kernel bytez");
        assertThatThrownBy(() -> cache.commit(ref, bad)).isInstanceOf(IOException.class).hasMessageContaining("failed verification");
        assertThat(bad).doesNotExist();

        Path good = cache.newTempFile(ref.sha256());
        Files.copy(src, good, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path stored = cache.commit(ref, good);
        assertThat(stored.toString()).contains("artifacts/sha256/" + ref.sha256().substring(0, 2) + "/" + ref.sha256());
        assertThat(cache.require(ref)).isEqualTo(stored);
    }

    @Test
    void artifactNamesCannotEscapeAndDigestsMustBeHex() {
        String sha = "0".repeat(64);
        assertThatThrownBy(() -> new ArtifactRef("../x", sha, 1, ArtifactRole.OTHER)).hasMessageContaining("plain file name");
        assertThatThrownBy(() -> new ArtifactRef("x", "abc", 1, ArtifactRole.OTHER)).hasMessageContaining("64 hex");
    }
}
