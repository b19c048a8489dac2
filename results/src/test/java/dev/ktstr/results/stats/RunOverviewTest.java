package dev.ktstr.results.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import dev.ktstr.results.SidecarFixtures;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarStats;
import dev.ktstr.protocol.sidecar.VerifierStat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunOverviewTest {
    @TempDir
    Path root;

    @Test
    void flagsTheScenarioFarAboveTheRestAndListsFailures() throws Exception {
        List<Sidecar> l = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Sidecar s = SidecarFixtures.variant("scen" + i, "1n1l2c1t", i);
            double gap = i == 7 ? 5000 : 20 + i;
            l.add(s.toBuilder().stats(gap(s.stats(), gap))
                    .verifierStats(List.of(new VerifierStat("qmap_dispatch", i == 3 ? 950_000 : 12_000))).build());
        }
        l.add(Sidecar.builder("broken").topology("1n2l2c1t").workType("CpuSpin").failed("guest crashed: Kernel panic - not syncing").build());
        RunDir run = SidecarFixtures.writeRun(RunStore.open(root), l);
        String text = RunOverview.render(run, run.load());
        assertThat(text).contains("13 variant(s): 12 passed, 1 failed, 0 skipped")
                .contains("broken 1n2l2c1t eevdf CpuSpin: guest crashed: Kernel panic")
                .containsPattern("worst_gap_ms\\s+scen7\\s+5000")
                .doesNotContainPattern("worst_gap_ms\\s+scen[0-68-9]\\s")
                .contains("qmap_dispatch", "WARNING: near the 1M verifier limit")
                .contains("by topology:")
                // a variant without wake samples (here: no stats at all) shows "-", never a measured-looking 0us
                .containsPattern("1n2l2c1t\\s+0 passed\\s+1 failed\\s+0 skipped\\s+worst gap \\S+ms\\s+worst p99 wake -\\n");
    }

    @Test
    void anInconclusiveVariantIsItsOwnClass() throws Exception {
        List<Sidecar> l = new ArrayList<>();
        l.add(SidecarFixtures.variant("ok", "1n1l2c1t", 0));
        l.add(Sidecar.builder("starved").topology("1n1l2c1t").workType("CpuSpin")
                .inconclusive("inconclusive: the host starved the guest: vCPU 1's thread waited 2500 ms").build());
        RunDir run = SidecarFixtures.writeRun(RunStore.open(root), l);
        assertThat(l.get(1).outcome()).isEqualTo("inconclusive");
        String text = RunOverview.render(run, run.load());
        assertThat(text).contains("2 variant(s): 1 passed, 0 failed, 1 inconclusive, 0 skipped")
                .contains("inconclusive (1):\n  starved 1n1l2c1t eevdf CpuSpin: inconclusive: the host starved the guest");
    }

    private static SidecarStats gap(SidecarStats s, double gap) {
        return new SidecarStats(s.cgroups(), s.totalWorkers(), s.totalCpus(), s.totalMigrations(), s.worstSpread(), gap,
                s.worstGapCpu(), s.worstMigrationRatio(), s.worstP99WakeLatencyUs(), s.worstMedianWakeLatencyUs(),
                s.worstWakeLatencyCv(), s.totalIterations(), s.worstMeanRunDelayUs(), s.worstRunDelayUs(),
                s.worstPageLocality(), s.worstCrossNodeMigrationRatio(), s.worstWakeLatencyTailRatio(),
                s.worstIterationsPerWorker(), s.extMetrics());
    }
}
