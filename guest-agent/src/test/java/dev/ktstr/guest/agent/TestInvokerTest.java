package dev.ktstr.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.guest.Deadlines;
import dev.ktstr.protocol.guest.GuestJob;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.sched.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestInvokerTest {

    @Test
    void theGuestSeesTheResolvedConfigTheHostShipped() {
        ObjectMapper json = AgentJson.mapper();
        Scheduler qmap = Scheduler.builder("scx_qmap").discover("scx_qmap").sysctl("kernel.sched_cfs_bandwidth_slice_us", "1000")
                .karg("isolcpus=1").schedArgs("-t", "100").build();
        TestConfig base = TestConfig.DEFAULT;
        TestConfig resolved = new TestConfig(base.topology(), 1024, qmap, List.of("-v"), 9, base.testAssert(), base.assertion(),
                List.of(), List.of(), base.constraints(), 5, 3, true, false, false, false, 800L, null,
                dev.ktstr.protocol.guest.WorkConservationWatchdog.DEFAULT, null, false, 3);
        GuestJob job = new GuestJob(GuestJob.SCHEMA_VERSION, "ktstr/t", "a.B", "t", base.topology().render(), List.of(), 5, 3, null,
                json.valueToTree(resolved.assertion()), json.valueToTree(resolved), null, Deadlines.DEFAULT, Map.of(),
                dev.ktstr.protocol.guest.WorkConservationWatchdog.DEFAULT);
        List<String> warnings = new ArrayList<>();

        TestConfig seen = TestInvoker.resolve(job, warnings::add);

        assertThat(warnings).isEmpty();
        assertThat(seen.scheduler().name()).isEqualTo("scx_qmap");
        assertThat(seen.scheduler().displayName()).isEqualTo(qmap.displayName());
        assertThat(seen.scheduler().sysctls()).isEqualTo(qmap.sysctls());
        assertThat(seen.expectErr()).isTrue();
        assertThat(seen.watchdogTimeoutS()).isEqualTo(9);
        assertThat(seen.cleanupBudgetMs()).isEqualTo(800L);
        assertThat(seen.durationS()).isEqualTo(5);
        assertThat(seen.workersPerCgroup()).isEqualTo(3);
    }
}
