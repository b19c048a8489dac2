package dev.ktstr.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.scenario.verify.Assert;
import dev.ktstr.vmm.monitor.CpuSnapshot;
import dev.ktstr.vmm.monitor.MonitorSample;
import dev.ktstr.vmm.monitor.MonitorThresholds;
import dev.ktstr.worker.JobProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MonitorRunTest {

    private static MonitorSample sample(int index, long... nrRunning) {
        List<CpuSnapshot> cpus = new ArrayList<>();
        for (int c = 0; c < nrRunning.length; c++) {
            cpus.add(new CpuSnapshot(c, nrRunning[c], null, null, 1000L * index + c, null, null, null, null));
        }
        return new MonitorSample(index, 100L * index, 0, cpus);
    }

    @Test
    void perCpuNrRunningIsSplitAtTheScenarioStart() throws Exception {
        List<String> live = new ArrayList<>();
        MonitorRun run = new MonitorRun(new JobProgress() {
            @Override public void phase(String phase) { }
            @Override public void sample(String metric, double value) { live.add(metric + "=" + value); }
        });
        run.sample(sample(0, 0, 1));
        run.sample(sample(1, 0, 1));
        Thread.sleep(2);
        long start = System.nanoTime();
        Thread.sleep(2);
        run.sample(sample(2, 3, 2));
        run.sample(sample(3, 5, 2));
        long end = System.nanoTime();
        Thread.sleep(2);
        run.sample(sample(4, 9, 9)); // after the scenario: ignored

        Map<String, Double> m = run.nrRunningMetrics(start, end);
        assertThat(m).containsEntry("samples", 5.0).containsEntry("samples_before_scenario", 2.0)
                .containsEntry("samples_during_scenario", 2.0)
                .containsEntry("cpu0.nr_running.before_mean", 0.0).containsEntry("cpu0.nr_running.during_mean", 4.0)
                .containsEntry("cpu0.nr_running.during_max", 5.0).containsEntry("cpu1.nr_running.before_mean", 1.0)
                .containsEntry("cpu1.nr_running.during_max", 2.0);
        assertThat(live).contains("monitor.nr_running.max=5.0", "monitor.nr_running.total=7.0");
        // no guest kernel attached: no scheduler was seen, so the checks have nothing to judge
        assertThat(run.scxSeen()).isFalse();
        assertThat(run.scxEnabledForMs()).isEqualTo(-1);
    }

    @Test
    void unknownScenarioWindowCountsEverySampleAsDuring() {
        MonitorRun run = new MonitorRun(JobProgress.NONE);
        run.sample(sample(0, 1));
        run.sample(sample(1, 3));
        assertThat(run.nrRunningMetrics(-1, -1)).containsEntry("samples_during_scenario", 2.0)
                .containsEntry("cpu0.nr_running.during_mean", 2.0).doesNotContainKey("cpu0.nr_running.before_mean");
    }

    @Test
    void thresholdsFollowTheMergedAssertAndFallBackToTheSpecDefaults() {
        MonitorThresholds t = MonitorRun.thresholds(Assert.defaultChecks().merge(Assert.NO_OVERRIDES.withMaxImbalanceRatio(20.0)));
        assertThat(t.maxImbalanceRatio()).isEqualTo(20.0);
        assertThat(t.maxLocalDsqDepth()).isEqualTo(50);
        assertThat(t.sustainedSamples()).isEqualTo(5);
        MonitorThresholds none = MonitorRun.thresholds(Assert.NO_OVERRIDES);
        assertThat(none).isEqualTo(MonitorThresholds.DEFAULTS);
    }
}
