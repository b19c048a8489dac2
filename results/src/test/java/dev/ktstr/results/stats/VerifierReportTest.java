package dev.ktstr.results.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.VerifierStat;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifierReportTest {

    static Sidecar sidecar(String test, String sched, String topo, VerifierStat... stats) {
        return Sidecar.builder(test).scheduler(sched).topology(topo).kernelVersion("6.12.118").verifierStats(List.of(stats)).build();
    }

    static final List<Sidecar> RUN = List.of(
            sidecar("qmap_a", "scx_qmap", "1n1l2c1t", new VerifierStat("qmap_dispatch", 3000, "struct_ops", 800),
                    new VerifierStat("qmap_enqueue", 1200, "struct_ops", 400), new VerifierStat("qmap_monitor", 90, "syscall", 64)),
            sidecar("qmap_b", "scx_qmap", "1n2l2c1t", new VerifierStat("qmap_dispatch", 3100, "struct_ops", 800)),
            sidecar("simple", "scx_simple", "1n1l2c1t", new VerifierStat("simple_enqueue", 500, "struct_ops", 200)),
            sidecar("eevdf", "eevdf", "1n1l2c1t"));

    @Test
    void oneRowPerSchedulerKernelAndProgramWithTheMaximumOverTopologies() {
        List<VerifierReport.Row> rows = VerifierReport.rows(RUN);
        assertThat(rows).extracting(VerifierReport.Row::program)
                .containsExactly("qmap_dispatch", "qmap_enqueue", "qmap_monitor", "simple_enqueue");
        assertThat(rows.get(0).verifiedInsns()).isEqualTo(3100);
        assertThat(rows.get(0).topologies()).containsExactly("1n1l2c1t", "1n2l2c1t");
        String table = VerifierReport.table(rows);
        assertThat(table).contains("scx_qmap on kernel 6.12.118", "scx_simple on kernel 6.12.118", "qmap_dispatch", "struct_ops",
                "3100", "0.31%").doesNotContain("eevdf").doesNotContain("WARNING");
    }

    @Test
    void identicalRunsCompareClean() {
        List<VerifierReport.Row> rows = VerifierReport.rows(RUN);
        List<VerifierReport.Delta> d = VerifierReport.compare(rows, rows, 10);
        assertThat(d).noneMatch(VerifierReport.Delta::grew).hasSize(4);
        assertThat(VerifierReport.compareText(d, 10)).contains("no program grew more than 10.0%");
    }

    @Test
    void aDoctoredGrowthOverTheThresholdIsFlaggedAndOneUnderItIsNot() {
        List<Sidecar> grown = List.of(
                sidecar("qmap_a", "scx_qmap", "1n1l2c1t", new VerifierStat("qmap_dispatch", 3100 * 4, "struct_ops", 800),
                        new VerifierStat("qmap_enqueue", 1300, "struct_ops", 400), new VerifierStat("qmap_monitor", 90, "syscall", 64)),
                sidecar("simple", "scx_simple", "1n1l2c1t", new VerifierStat("simple_enqueue", 500, "struct_ops", 200),
                        new VerifierStat("simple_new", 10, "struct_ops", 8)));
        List<VerifierReport.Delta> d = VerifierReport.compare(VerifierReport.rows(RUN), VerifierReport.rows(grown), 10);
        assertThat(d).filteredOn(VerifierReport.Delta::grew).extracting(VerifierReport.Delta::program).containsExactly("qmap_dispatch");
        assertThat(d).filteredOn(x -> x.program().equals("qmap_enqueue")).singleElement()
                .satisfies(x -> assertThat(x.pct()).isCloseTo(8.33, org.assertj.core.data.Offset.offset(0.01)));
        assertThat(d).filteredOn(VerifierReport.Delta::added).extracting(VerifierReport.Delta::program).containsExactly("simple_new");
        String text = VerifierReport.compareText(d, 10);
        assertThat(text).contains("+300.0%  GREW", "1 program(s) grew more than 10.0%", "new");
    }

    @Test
    void aNegativeThresholdIsRefused() {
        assertThatThrownBy(() -> VerifierReport.compare(List.of(), List.of(), -1)).hasMessageContaining(">= 0");
    }

    @Test
    void nearTheLimitIsWarned() {
        String t = VerifierReport.table(VerifierReport.rows(List.of(
                sidecar("big", "scx_big", "1n1l1c1t", new VerifierStat("big_dispatch", 950_000, "struct_ops", 9000)))));
        assertThat(t).contains("WARNING: near the 1M verifier limit", "95.00%");
    }
}
