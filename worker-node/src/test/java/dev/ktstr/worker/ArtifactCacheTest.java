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
    void downloadsInProgressNameTheirOwnerAndADeadOwnersGoWhenTheCacheOpens() throws Exception {
        String sha = "ab".repeat(32);
        Path mine = new ArtifactCache(tmp).newTempFile(sha);
        assertThat(mine.getFileName().toString()).startsWith("part-" + ProcessHandle.current().pid() + "-").endsWith("-abababababab.part");
        Path dir = mine.getParent();
        Path deadOwners = Files.writeString(dir.resolve("part-" + unusedPid() + "-777-123-abababababab.part"), "half");
        Path recycledPid = Files.writeString(dir.resolve("part-" + ProcessHandle.current().pid() + "-1-123-abababababab.part"), "half");
        Path unknown = Files.writeString(dir.resolve("notes.txt"), "left alone");

        ArtifactCache reopened = new ArtifactCache(tmp);

        assertThat(mine).exists();
        assertThat(unknown).exists();
        assertThat(deadOwners).doesNotExist();
        assertThat(recycledPid).doesNotExist();
        assertThat(reopened.reaped().deadOwners()).containsExactlyInAnyOrder(deadOwners, recycledPid);
    }

    /** A pid no process has now, scanned down from pid_max. */
    static long unusedPid() throws IOException {
        long max = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip());
        for (long p = max - 1; p > 1; p--) if (!Files.exists(Path.of("/proc", Long.toString(p)))) return p;
        throw new AssertionError("no free pid");
    }

    @Test
    void artifactNamesCannotEscapeAndDigestsMustBeHex() {
        String sha = "0".repeat(64);
        assertThatThrownBy(() -> new ArtifactRef("../x", sha, 1, ArtifactRole.OTHER)).hasMessageContaining("plain file name");
        assertThatThrownBy(() -> new ArtifactRef("x", "abc", 1, ArtifactRole.OTHER)).hasMessageContaining("64 hex");
    }
}
