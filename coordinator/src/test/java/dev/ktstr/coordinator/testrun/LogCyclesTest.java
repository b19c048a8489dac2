package dev.ktstr.coordinator.testrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogCyclesTest {
    static List<String> block(String tag) {
        List<String> b = new ArrayList<>();
        for (int i = 0; i < 5; i++) b.add(tag + " line " + i);
        return b;
    }

    @Test
    void aBlockRepeatedTenTimesShowsFirstOmittedLast() {
        List<String> in = new ArrayList<>(List.of("start"));
        for (int i = 0; i < 10; i++) in.addAll(block("stats"));
        in.add("EXIT: scx_bpf_error (boom)");
        List<String> expected = new ArrayList<>(List.of("start"));
        expected.addAll(block("stats"));
        expected.add("... 8 identical iterations omitted ...");
        expected.addAll(block("stats"));
        expected.add("EXIT: scx_bpf_error (boom)");
        assertThat(LogCycles.collapse(String.join("\n", in))).isEqualTo(String.join("\n", expected));
    }

    @Test
    void shortBlocksAndTwoRepeatsStay() {
        String twice = String.join("\n", block("a")) + "\n" + String.join("\n", block("a"));
        assertThat(LogCycles.collapse(twice)).isEqualTo(twice);
        String fourLines = "x\ny\nz\nw\n".repeat(5);
        assertThat(LogCycles.collapse(fourLines)).isEqualTo(fourLines);
        assertThat(LogCycles.collapse("")).isEmpty();
        assertThat(LogCycles.collapse(null)).isNull();
    }

    @Test
    void aCycleOfCyclesCollapsesInALaterPass() {
        // an outer block: the inner block 3 times, then a marker, repeated 3 times
        List<String> outer = new ArrayList<>();
        for (int i = 0; i < 3; i++) outer.addAll(block("inner"));
        outer.add("tick");
        List<String> in = new ArrayList<>();
        for (int i = 0; i < 3; i++) in.addAll(outer);
        String once = String.join("\n", LogCycles.collapseOnce(in));
        String all = LogCycles.collapse(String.join("\n", in));
        assertThat(all.split("\n").length).isLessThan(once.split("\n").length);
        assertThat(all).contains("identical iterations omitted");
    }
}
