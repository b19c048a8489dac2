package dev.ktstr.protocol.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KernelLabelTest {

    @Test
    void versions() {
        assertThat(KernelLabel.forVersion("6.12.117")).isEqualTo("kernel_6_12_117");
        assertThat(KernelLabel.forVersion("6.14.2")).isEqualTo("kernel_6_14_2");
        assertThat(KernelLabel.forVersion("6.15-rc3")).isEqualTo("kernel_6_15_rc3");
        assertThatThrownBy(() -> KernelLabel.forVersion("6.x")).hasMessageContaining("not a kernel version");
    }

    @Test
    void cacheKeys() {
        assertThat(KernelLabel.forCacheKey("6.14.2-tarball-x86_64-kc1a2b3c4d")).isEqualTo("kernel_6_14_2");
        assertThat(KernelLabel.forCacheKey("6.15-rc3-tarball-x86_64-kc1a2b3c4d")).isEqualTo("kernel_6_15_rc3");
        assertThat(KernelLabel.forCacheKey("local-abcdef1-x86_64-kc1a2b3c4d")).isEqualTo("kernel_local_abcdef");
        assertThat(KernelLabel.forCacheKey("local-unknown-12345678-x86_64-kc1a2b3c4d")).isEqualTo("kernel_local_unknown");
        assertThat(KernelLabel.forCacheKey("for-next-git-abc1234-x86_64-kc1a2b3c4d")).isEqualTo("kernel_for_next");
    }

    @Test
    void gitAndPath() {
        assertThat(KernelLabel.forGit("https://github.com/sched-ext/linux.git", "for-next"))
                .isEqualTo("kernel_git_sched_ext_linux_for_next");
        assertThat(KernelLabel.forGit("git@github.com:torvalds/linux", "v6.13")).isEqualTo("kernel_git_torvalds_linux_v6_13");
        // crc32("/src/linux") = 6210081f (python zlib.crc32)
        assertThat(KernelLabel.forPath(Path.of("/src/linux"), false)).isEqualTo("kernel_path_linux_621008");
        assertThat(KernelLabel.forPath(Path.of("/home/u/linux-6.12"), true)).isEqualTo("kernel_path_linux_6_12_12a284_dirty");
    }

    @Test
    void everyFactoryOutputIsValid() {
        for (String l : new String[] {KernelLabel.forVersion("6.1"), KernelLabel.forCacheKey("X.Y-tarball-z"),
                KernelLabel.forGit("u/o/r", "R"), KernelLabel.forPath(Path.of("/"), false)}) {
            KernelLabel.requireValid(l);
        }
        assertThatThrownBy(() -> KernelLabel.requireValid("6.12")).hasMessageContaining("kernel_[a-z0-9_]+");
    }
}
