package dev.ktstr.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.topology.Topology;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BootDeadlineTest {

    @Test
    void aJobsVmHasABootDeadlineThatGrowsWithItsVcpusAndComesBeforeItsOwnDeadline() {
        Duration small = VmJobExecutor.bootDeadline(new Topology(1, 1, 1, 1), Duration.ofSeconds(240)).orElseThrow();
        Duration big = VmJobExecutor.bootDeadline(new Topology(1, 2, 2, 2), Duration.ofSeconds(240)).orElseThrow();
        assertThat(small).isEqualTo(Duration.ofSeconds(62));
        assertThat(big).isEqualTo(Duration.ofSeconds(76));
        // no boot deadline that would fire only after the VM's own
        assertThat(VmJobExecutor.bootDeadline(new Topology(1, 1, 1, 1), Duration.ofSeconds(30))).isEmpty();
    }
}
