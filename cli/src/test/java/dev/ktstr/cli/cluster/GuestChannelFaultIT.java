package dev.ktstr.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.coordinator.verdict.Verdict;
import dev.ktstr.protocol.outcome.VmOutcome;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarDetail;
import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest data channel is untrusted: a fault between QEMU's data-port socket and the frame reader
 * ({@code ktstr test --inject-channel-fault}, a hidden option of the product) on a real guest running
 * a 1-vCPU EEVDF test. Each mode ends in a correct result with the damage recorded, or in a clear
 * "channel corrupted" infrastructure error naming the VM and the job; never a PASS that hides the
 * damage, never a TEST failure. A truncated stream loses the RESULT, so it must be the infrastructure
 * error, retried like one. Needs a kernel like {@link ClusterRealVmIT}.
 */
class GuestChannelFaultIT {
    private static final String TEST = "ktstr/cluster_eevdf_one_cpu";

    @TempDir
    Path tmp;

    @AfterEach
    void stopLeftoverVms() {
        ClusterRealVmIT.qemuUnder(tmp).forEach(ProcessHandle::destroyForcibly);
    }

    private record Run(int exit, String output, Sidecar sidecar) {}

    private Run run(String fault) throws Exception {
        String name = fault.replace('@', '-');
        Path runs = tmp.resolve("runs-" + name);
        Path jvmTmp = Files.createDirectories(tmp.resolve("jvmtmp-" + name));
        List<String> args = new ArrayList<>(List.of("test", SmokeFixtureDir.in(tmp).toString(), "-E", "cluster_eevdf_one_cpu",
                "--runs-dir", runs.toString(), "--inject-channel-fault", fault));
        args.addAll(ClusterRealVmIT.kernelArgs());
        try (Jvm j = Jvm.start(name, tmp, List.of("-Xmx384m", "-Djava.io.tmpdir=" + jvmTmp), args.toArray(String[]::new))) {
            int rc = j.awaitExit(900);
            String out = j.output();
            System.out.printf("--- ktstr test --inject-channel-fault %s: exit %d%n%s%n", fault, rc, out);
            List<RunDir> all = RunStore.open(runs).runs();
            assertThat(all).as("one run dir; output:\n%s", out).hasSize(1);
            LoadResult loaded = all.get(0).load();
            assertThat(loaded.problems()).isEmpty();
            assertThat(loaded.sidecars()).as("one sidecar; output:\n%s", out).hasSize(1);
            LoadedSidecar s = loaded.sidecars().get(0);
            assertThat(s.sidecar().testName()).isEqualTo(TEST);
            return new Run(rc, out, s.sidecar());
        }
    }

    private static List<String> channel(Sidecar s) {
        return s.details().stream().filter(d -> d.kind().equals("CHANNEL")).map(SidecarDetail::message).toList();
    }

    /** Either outcome the fault model allows for damage the reader resynchronised over. */
    private static void correctOrChannelInfra(String fault, Run r) {
        List<String> channel = channel(r.sidecar());
        assertThat(channel).as("%s: the damage is recorded in the sidecar; output:\n%s", fault, r.output())
                .anyMatch(p -> p.startsWith(VmOutcome.CHANNEL_DAMAGED));
        if (r.sidecar().passed()) {
            assertThat(r.exit()).as(fault).isZero();
            assertThat(r.output()).as(fault).contains("NOTE: guest data channel damaged, RESULT and EXIT intact");
        } else {
            channelInfra(fault, r);
        }
    }

    private static void channelInfra(String fault, Run r) {
        assertThat(r.sidecar().passed()).as(fault).isFalse();
        assertThat(r.sidecar().reason()).as("%s; output:\n%s", fault, r.output()).startsWith("INFRA_ERROR: " + Verdict.CHANNEL_CORRUPTED)
                .contains("the VM on ").contains("[job ");
        assertThat(r.output()).as(fault).containsPattern("INFRA +" + TEST);
        assertThat(r.exit()).as(fault).isNotZero();
    }

    @Test
    void aDamagedGuestChannelEndsInACorrectResultOrAClearChannelError() throws Exception {
        for (String fault : List.of("flip@1500", "insert@1500", "flood@1500")) {
            correctOrChannelInfra(fault, run(fault));
        }
        Run cut = run("truncate@1500");
        channelInfra("truncate@1500", cut);
        assertThat(cut.output()).as("an infrastructure error is retried").containsPattern("attempt 1 of [0-9]+ failed: infrastructure error .*channel corrupted.*; it will be retried");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!ClusterRealVmIT.qemuUnder(tmp).isEmpty() && System.nanoTime() < deadline) Thread.sleep(200);
        assertThat(ClusterRealVmIT.qemuUnder(tmp)).as("qemu-system processes left by this test").isEmpty();
    }
}
