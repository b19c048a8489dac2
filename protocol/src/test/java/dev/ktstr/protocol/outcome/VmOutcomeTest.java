package dev.ktstr.protocol.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.ktstr.protocol.guest.ExitInfo;
import dev.ktstr.protocol.guest.GuestPhases;
import dev.ktstr.protocol.guest.Hello;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.guest.Stimulus;
import dev.ktstr.protocol.guest.WatchdogEvent;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.sidecar.MonitorSummary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class VmOutcomeTest {

    /** An outcome with every part filled, as a VM that ran a scheduler under performance mode produces. */
    public static VmOutcome sample() {
        ObjectMapper m = new ObjectMapper();
        try {
            return new VmOutcome(
                    new VmRun("tcg", "no KVM", "microvm", new VmEnd(VmEnd.Kind.GUEST_POWEROFF, "guest powered off (exit code 0)", false),
                            4200, List.of(new VmRun.VmRetry(new VmEnd(VmEnd.Kind.KERNEL_PANIC, "kernel crash during boot: Oops", true), 900))),
                    new Hello("0.1", "6.12.0", 2, 1, 1100, 2500, "17"),
                    m.readTree("{\"passed\":true,\"skipped\":false,\"details\":[]}"),
                    new ExitInfo(0, "passed", 9000),
                    new SchedExit(SchedExit.Reason.STOPPED, 0, "disabled", "stopped", "tail", "log", 8900, true, null),
                    null,
                    List.of(m.readTree("{\"cgroup\":\"cg_0\",\"workType\":\"Bursty\"}")),
                    List.of(new Stimulus(5, 6, "step", "step 1", Map.of("elapsedMs", 120, "stepIndex", 1, "opKindMask", 3))),
                    new GuestPhases(1100L, 20L, 300L, 4000L, 6000L, 50L, 40L, 1, 2, "threads", null),
                    List.of(new WatchdogEvent("cg_0", 0, 77, 2500, 1, 2000, 66, 7000)),
                    new MonitorOutcome(Map.of("avg_nr_running", 1.5), List.of(), true, 5000L, true, true,
                            new MonitorSummary(40, 1.2, 3, 0, 1, 2, true, "monitor OK"), List.of(), null),
                    null,
                    new PerfPinning(0, true, 3, false, "shm", "no free hugepages", 512, List.of(List.of(0)),
                            List.of(new PerfPinning.VcpuPin(0, 123, 1, "1")), List.of()),
                    List.of("data channel offset 12: bad CRC"),
                    new VmLogs("console", "guest", null, 0),
                    new InitramfsStats(10, 2, true),
                    null,
                    null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void jobResultWithOutcomeRoundTripsThroughCborAsTheClusterSendsIt() throws Exception {
        CBORMapper cbor = new CBORMapper();
        JobResult r = new JobResult("j", "v", JobStatus.PASS, "passed", "", "w1", "tcg", Map.of("boot", 3L), 0, sample());
        JobResult back = cbor.readValue(cbor.writeValueAsBytes(r), JobResult.class);
        assertThat(back).isEqualTo(r);
        assertThat(back.outcome().stimuli().get(0).attrs()).containsEntry("elapsedMs", 120);
        assertThat(back.outcome().vm().retries()).singleElement().satisfies(x -> assertThat(x.end().infrastructureFailure()).isTrue());
    }

    @Test
    void absentFactsStayAbsent() throws Exception {
        ObjectMapper m = new ObjectMapper();
        String json = m.writeValueAsString(VmOutcome.skipped("performance mode: no CPUs", null));
        assertThat(json).doesNotContain("\"vm\"").doesNotContain("hello").doesNotContain("monitor").contains("skipReason");
        VmOutcome back = m.readValue(json, VmOutcome.class);
        assertThat(back.vm()).isNull();
        assertThat(back.workerReports()).isEmpty();
    }

    @Test
    void monitorFailedOnlyWhenItsChecksRanAndFailed() {
        assertThat(new MonitorOutcome(null, null, true, null, false, null, null, null, "not run").failed()).isFalse();
        assertThat(new MonitorOutcome(null, null, true, null, true, false, null, List.of("imbalance"), null).failed()).isTrue();
    }
}
