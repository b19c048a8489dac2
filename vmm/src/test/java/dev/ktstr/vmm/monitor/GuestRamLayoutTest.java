package dev.ktstr.vmm.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestRamLayoutTest {
    static final long M = 1L << 20;

    @Test
    void smallSingleNodeIsIdentity() {
        Path f = Path.of("/dev/shm/x.ram");
        assertThat(GuestRamLayout.regions(List.of(f), List.of(256 * M), GuestRamLayout.belowFourG("microvm", 256 * M)))
                .containsExactly(new RamRegion(0, 256 * M, f, 0));
    }

    @Test
    void nodesAreConcatenatedAndSplitAtTheBelow4GLimit() {
        Path a = Path.of("a.ram.0");
        Path b = Path.of("a.ram.1");
        long below = GuestRamLayout.belowFourG("q35", 4096 * M);
        assertThat(below).isEqualTo(2048 * M);
        assertThat(GuestRamLayout.regions(List.of(a, b), List.of(1536 * M, 2560 * M), below)).containsExactly(
                new RamRegion(0, 1536 * M, a, 0),
                new RamRegion(1536 * M, 512 * M, b, 0),
                new RamRegion(4096 * M, 2048 * M, b, 512 * M));
    }

    @Test
    void belowFourGFollowsQemuRules() {
        assertThat(GuestRamLayout.belowFourG("q35", 2048 * M)).isEqualTo(2048 * M);
        assertThat(GuestRamLayout.belowFourG("q35", 0xb0000000L)).isEqualTo(0x80000000L);
        assertThat(GuestRamLayout.belowFourG("microvm", 8192 * M)).isEqualTo(0xe0000000L);
    }
}
