package dev.ktstr.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BuildProgressTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void countsCompiledObjectsAndEstimatesTheRest() {
        BuildProgress p = new BuildProgress(OptionalInt.of(1000), now::get);
        assertThat(p.status()).startsWith("0/1000 objects (0%)").contains("preparing").doesNotContain("ETA");
        for (int i = 0; i < 500; i++) p.accept("  CC      kernel/f" + i + ".o");
        p.accept("  HOSTCC  scripts/basic/fixdep");        // host tools are not kernel objects
        p.accept("  CC      kernel/bounds.s");             // nor are generated assembly listings
        p.accept("  AS      arch/x86/entry/entry_64.o");
        p.accept("  CC [M]  drivers/foo.o");
        p.accept("warning: something");
        assertThat(p.compiled()).isEqualTo(502);
        now.set(Duration.ofMinutes(10).toNanos());
        // 502/1000 of the compile share (90%) = 45%; rate says 10 min for 45% -> ~12 min left
        assertThat(p.status()).startsWith("502/1000 objects (45%), 10m00s elapsed, ETA ~12m").endsWith("compiling");
        assertThat(p.eta().get()).isBetween(Duration.ofMinutes(12), Duration.ofMinutes(13));
    }

    @Test
    void linkPhaseIsAnnouncedAndNeverReaches100Percent() {
        BuildProgress p = new BuildProgress(OptionalInt.of(10), now::get);
        for (int i = 0; i < 50; i++) p.accept("  CC      f" + i + ".o"); // more than estimated
        assertThat(p.accept("  LD      vmlinux.o")).isTrue();
        assertThat(p.phase()).isEqualTo("linking vmlinux.o");
        assertThat(p.accept("  BTF     .btf.vmlinux.bin.o")).isTrue();
        assertThat(p.accept("  BTF     .btf.vmlinux.bin.o")).isFalse(); // same phase: no repeat announcement
        assertThat(p.fraction().getAsDouble()).isLessThanOrEqualTo(0.99);
        p.accept("Kernel: arch/x86/boot/bzImage is ready  (#1)");
        assertThat(p.phase()).isEqualTo("image ready");
    }

    @Test
    void incrementalBuildsShowCountsNotAGuessedPercentage() {
        BuildProgress p = new BuildProgress(OptionalInt.empty(), now::get);
        p.accept("  CC      kernel/sched/ext.o");
        now.set(Duration.ofSeconds(75).toNanos());
        assertThat(p.status()).isEqualTo("1 objects compiled, 1m15s elapsed, compiling");
        assertThat(p.eta()).isEmpty();
    }

    @Test
    void durationsReadWell() {
        assertThat(BuildProgress.format(Duration.ofSeconds(9))).isEqualTo("9s");
        assertThat(BuildProgress.format(Duration.ofSeconds(725))).isEqualTo("12m05s");
        assertThat(BuildProgress.format(Duration.ofMinutes(135))).isEqualTo("2h15m");
    }
}
