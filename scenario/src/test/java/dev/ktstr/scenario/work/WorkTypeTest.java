package dev.ktstr.scenario.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkTypeTest {

    @Test
    void fromNameDefaultsAndHints() {
        assertThat(WorkType.fromName("Bursty")).isEqualTo(new WorkType.Bursty(50, 100));
        assertThat(WorkType.fromName("fanoutcompute")).isEqualTo(new WorkType.FanOutCompute(4, 256, 5, 100));
        assertThat(WorkType.fromName("PageFaultChurn")).isEqualTo(new WorkType.PageFaultChurn(4096, 256, 64));
        assertThatThrownBy(() -> WorkType.fromName("CpuSpn")).hasMessageStartingWith("unknown work type 'CpuSpn' (did you mean 'CpuSpin'?)");
        assertThatThrownBy(() -> WorkType.fromName("Sequence")).hasMessageContaining("needs parameters");
        assertThat(WorkType.ALL_NAMES).hasSize(20);
    }

    @Test
    void groupSizes() {
        assertThat(WorkType.pipeIo(1).groupSize()).isEqualTo(2);
        assertThat(WorkType.futexFanOut(4, 1).groupSize()).isEqualTo(5);
        assertThat(WorkType.mutexContention(3, 1, 1).groupSize()).isEqualTo(3);
        assertThatThrownBy(() -> WorkType.futexFanOut(4, 1).checkWorkerCount(6)).hasMessage("FutexFanOut requires num_workers divisible by 5, got 6");
        WorkType.cpuSpin().checkWorkerCount(7);
    }

    @Test
    void parameterValidation() {
        assertThatThrownBy(() -> WorkType.bursty(0, 10)).hasMessage("Bursty burst_ms must be > 0, got 0");
        assertThatThrownBy(() -> SchedPolicy.fifo(0)).hasMessage("FIFO priority must be 1..99, got 0");
        assertThatThrownBy(() -> MemPolicy.preferred(-1)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> MpolFlags.validate(1)).hasMessageContaining("unknown mempolicy flag bits 0x1");
        assertThat(MpolFlags.validate(MpolFlags.STATIC_NODES | MpolFlags.NUMA_BALANCING)).isEqualTo(0xA000);
    }
}
