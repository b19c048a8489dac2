package dev.ktstr.protocol.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeadlinesTest {

    @Test
    void attachWindowScalesWithTheAcceleratorAndEveryFourVcpus() {
        assertThat(Deadlines.forVm(false, 2).schedAttachMs()).isEqualTo(3_000);
        assertThat(Deadlines.forVm(false, 4).schedAttachMs()).isEqualTo(3_000);
        assertThat(Deadlines.forVm(false, 5).schedAttachMs()).isEqualTo(6_000);
        assertThat(Deadlines.forVm(true, 1).schedAttachMs()).isEqualTo(12_000);
        assertThat(Deadlines.forVm(true, 8).schedAttachMs()).isEqualTo(24_000);
        assertThat(Deadlines.forVm(true, 16).schedAttachMs()).isEqualTo(48_000);
    }

    @Test
    void livenessAndTheOtherWaitsAreNotScaled() {
        Deadlines d = Deadlines.forVm(true, 16);
        assertThat(d.withSchedAttachMs(Deadlines.DEFAULT.schedAttachMs())).isEqualTo(Deadlines.DEFAULT);
    }

    @Test
    void refusesNoCpus() {
        assertThatThrownBy(() -> Deadlines.forVm(true, 0)).hasMessageContaining("vcpus must be > 0");
    }
}
