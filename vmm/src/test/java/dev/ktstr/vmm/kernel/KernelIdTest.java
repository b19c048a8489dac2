package dev.ktstr.vmm.kernel;

import dev.ktstr.protocol.kernel.KernelLabel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelIdTest {

    @Test
    void gitNeedsUrlAndRef() {
        assertThat(KernelId.parse("git+https://github.com/sched-ext/linux.git#for-next"))
                .isEqualTo(new KernelId.Git("https://github.com/sched-ext/linux.git", "for-next"));
        assertThatThrownBy(() -> KernelId.parse("git+https://x/y.git")).hasMessageContaining("URL and a ref");
        assertThatThrownBy(() -> KernelId.parse("git+#v6.12")).hasMessageContaining("URL and a ref");
    }

    @Test
    void rangeIsCheckedBeforePathsAndValidated() {
        KernelId r = KernelId.parse("6.12..6.14.2");
        assertThat(r).isEqualTo(new KernelId.Range(KernelVersion.parse("6.12"), KernelVersion.parse("6.14.2")));
        assertThatThrownBy(() -> KernelId.parse("6.14..6.12")).hasMessageContaining("backwards");
        // release candidates sort before their release
        assertThat(KernelId.parse("6.13-rc3..6.13")).isInstanceOf(KernelId.Range.class);
        assertThatThrownBy(() -> KernelId.parse("6.13..6.13-rc3")).hasMessageContaining("backwards");
    }

    @Test
    void pathsByShape() {
        for (String p : List.of("./linux", "../linux", "/boot/vmlinuz", "~/src/linux", "linux/arch", ".hidden")) {
            assertThat(KernelId.parse(p)).as(p).isEqualTo(new KernelId.PathId(p));
        }
    }

    @Test
    void versionsAndCacheKeys() {
        assertThat(KernelId.parse("6.12")).isEqualTo(new KernelId.Version(KernelVersion.parse("6.12")));
        assertThat(KernelId.parse("6.12.8")).isInstanceOf(KernelId.Version.class);
        assertThat(KernelId.parse("6.15-rc3")).isInstanceOf(KernelId.Version.class);
        // a fourth component or non-digits are not versions, so they are cache keys
        assertThat(KernelId.parse("6.12.8.1")).isEqualTo(new KernelId.CacheKey("6.12.8.1"));
        assertThat(KernelId.parse("6.12.117-tarball-x86_64-kc1a2b3c4d")).isInstanceOf(KernelId.CacheKey.class);
        assertThat(KernelId.parse("v6.12")).isInstanceOf(KernelId.CacheKey.class);
        assertThat(KernelId.parse("a..b")).isEqualTo(new KernelId.CacheKey("a..b"));
        assertThatThrownBy(() -> KernelId.parse(" ")).hasMessageContaining("empty kernel id");
    }

    @Test
    void listSkipsEmptySegments() {
        assertThat(KernelId.parseList("6.12,,./linux, ")).containsExactly(
                new KernelId.Version(KernelVersion.parse("6.12")), new KernelId.PathId("./linux"));
    }

    @Test
    void versionOrderingAndMatching() {
        assertThat(KernelVersion.parse("6.13-rc3")).isLessThan(KernelVersion.parse("6.13"));
        assertThat(KernelVersion.parse("6.13")).isEqualByComparingTo(KernelVersion.parse("6.13.0"));
        assertThat(KernelVersion.parse("6.13.1")).isGreaterThan(KernelVersion.parse("6.13"));
        assertThat(KernelVersion.parse("6.12").matches(KernelVersion.parse("6.12.117"))).isTrue();
        assertThat(KernelVersion.parse("6.12.8").matches(KernelVersion.parse("6.12.117"))).isFalse();
        assertThat(KernelVersion.parse("6.12").matches(KernelVersion.parse("6.13.1"))).isFalse();
        assertThat(KernelVersion.parse("6.12").matches(KernelVersion.parse("6.12-rc2"))).isFalse();
        assertThat(KernelVersion.parse("6.12.8").tarballUrl()).isEqualTo("https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.12.8.tar.xz");
        assertThat(KernelVersion.parse("6.15-rc3").tarballUrl()).isEqualTo("https://git.kernel.org/torvalds/t/linux-6.15-rc3.tar.gz");
        assertThatThrownBy(() -> KernelVersion.parse("6")).hasMessageContaining("MAJOR.MINOR");
    }

    @Test
    void labelsAreSanitized() {
        assertThat(KernelLabel.forVersion(KernelVersion.parse("6.14.2").toString())).isEqualTo("kernel_6_14_2");
        assertThat(KernelLabel.forVersion(KernelVersion.parse("6.15-rc3").toString())).isEqualTo("kernel_6_15_rc3");
        assertThat(KernelLabel.forCacheKey("6.14.2-tarball-x86_64-kc1a2b3c4d")).isEqualTo("kernel_6_14_2");
        assertThat(KernelLabel.forCacheKey("local-abc1234-x86_64-kc1a2b3c4d")).isEqualTo("kernel_local_abc123");
        assertThat(KernelLabel.forCacheKey("local-unknown-0badf00d-x86_64-kc1a2b3c4d")).isEqualTo("kernel_local_unknown");
        assertThat(KernelLabel.forGit("https://github.com/sched-ext/Linux.git", "for-next/v2")).isEqualTo("kernel_git_sched_ext_linux_for_next_v2");
        String p = KernelLabel.forPath(java.nio.file.Path.of("/src/My-Linux"), false);
        assertThat(p).matches("kernel_path_my_linux_[0-9a-f]{6}");
        assertThat(KernelLabel.forPath(java.nio.file.Path.of("/src/My-Linux"), true)).isEqualTo(p + "_dirty");
        assertThat(KernelLabel.forPath(java.nio.file.Path.of("/other/My-Linux"), false)).isNotEqualTo(p);
        for (String l : List.of(p, KernelLabel.forCacheKey("weird KEY!"))) assertThat(l).matches("kernel_[a-z0-9_]+");
    }

    @Test
    void makefileVersion() {
        assertThat(MakefileVersion.parse("# SPDX\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\nNAME = x\n")).contains("6.12.117");
        assertThat(MakefileVersion.parse("VERSION = 6\nPATCHLEVEL = 15\nSUBLEVEL = 0\nEXTRAVERSION = -rc3\n")).contains("6.15.0-rc3");
        assertThat(MakefileVersion.parse("all:\n\techo hi\n")).isEmpty();
    }
}
