package dev.ktstr.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigVerifierTest {

    @TempDir Path tmp;

    @Test
    void completeConfigPasses() throws IOException {
        Path c = Files.writeString(tmp.resolve(".config"), KernelFixtures.FRAGMENT_TEXT + "CONFIG_OTHER=m\n");
        assertThat(ConfigVerifier.verify(c, Arch.X86_64)).isEmpty();
    }

    @Test
    void droppedOrModularOptionsAreNamedWithHints() throws IOException {
        String text = KernelFixtures.FRAGMENT_TEXT
                .replace("CONFIG_DEBUG_INFO_BTF=y\n", "# CONFIG_DEBUG_INFO_BTF is not set\n")
                .replace("CONFIG_VIRTIO_CONSOLE=y", "CONFIG_VIRTIO_CONSOLE=m")
                .replace("CONFIG_PVH=y\n", "");
        Path c = Files.writeString(tmp.resolve(".config"), text);
        List<ConfigVerifier.Missing> missing = ConfigVerifier.verify(c, Arch.X86_64);
        assertThat(missing).extracting(ConfigVerifier.Missing::option).containsExactly("DEBUG_INFO_BTF", "PVH", "VIRTIO_CONSOLE");
        assertThat(missing.get(0).hint()).contains("pahole");
        assertThat(missing.get(2).actual()).isEqualTo("=m");
        String msg = ConfigVerifier.describe(c, missing);
        assertThat(msg).contains("CONFIG_DEBUG_INFO_BTF is not set", "CONFIG_VIRTIO_CONSOLE is =m", "ktstr kernel build --force");
        // PVH is an x86 concept
        assertThat(ConfigVerifier.verify(c, Arch.AARCH64)).extracting(ConfigVerifier.Missing::option).doesNotContain("PVH");
    }

    @Test
    void theRealFragmentSetsEveryRequiredOption() {
        String fragment = KconfigFragment.embedded().text();
        for (String opt : ConfigVerifier.REQUIRED.keySet()) {
            assertThat(fragment).as(opt).contains("CONFIG_" + opt + "=y\n");
        }
    }
}
