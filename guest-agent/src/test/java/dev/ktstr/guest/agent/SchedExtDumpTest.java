package dev.ktstr.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedExtDumpTest {

    /** Lines as a 6.12 guest's trace buffer held them after SysRq-D under scx_simple. */
    private static final List<String> TRACE = List.of(
            "# tracer: nop",
            "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
            "              sh-97      [001] d..1.     9.804315: sched_ext_dump: Debug dump triggered by SysRq-D",
            "              sh-97      [001] d..1.     9.804748: sched_ext_dump: ",
            "              sh-97      [001] d..1.     9.804748: sched_ext_dump: CPU states",
            "              sh-97      [001] d..2.     9.804748: sched_ext_dump: CPU 0   : nr_run=2 flags=0x1 cpu_rel=0 pnt_seq=7",
            "              sh-97      [001] d..2.     9.804748: sched_ext_dump:           curr=sh[104] class=ext_sched_class",
            "          <idle>-0       [000] d.h1.     9.900000: some_other_event: x");

    @Test
    void theDumpIsTheTracepointsTextInOrderWithIndentKept() {
        assertThat(SchedExtDump.dumpLines(TRACE)).containsExactly("Debug dump triggered by SysRq-D", "", "CPU states",
                "CPU 0   : nr_run=2 flags=0x1 cpu_rel=0 pnt_seq=7", "          curr=sh[104] class=ext_sched_class");
    }

    @Test
    void aHugeDumpIsCutAndSaysSo() {
        List<String> big = new ArrayList<>();
        for (int i = 0; i < SchedExtDump.MAX_LINES + 50; i++) big.add("  sh-1 [000] d..1. 1.0: sched_ext_dump: line " + i);
        List<String> out = SchedExtDump.dumpLines(big);
        assertThat(out).hasSize(SchedExtDump.MAX_LINES + 1);
        assertThat(out.get(out.size() - 1)).isEqualTo("... (dump cut at " + SchedExtDump.MAX_LINES + " lines)");
    }

    @Test
    void withoutTheTracepointItSaysWhyAndTriggersNothing(@TempDir Path dir) throws Exception {
        Path sysrq = Files.createFile(dir.resolve("sysrq-trigger"));
        String r = new SchedExtDump(dir.resolve("tracing"), sysrq).take(0);
        assertThat(r).startsWith("no sched_ext dump: ").contains("sched_ext_dump/enable is missing");
        assertThat(Files.readString(sysrq)).isEmpty();
    }

    @Test
    void theEventIsEnabledTheBufferClearedAndSysrqDWritten(@TempDir Path dir) throws Exception {
        Path enable = dir.resolve("tracing/events/sched_ext/sched_ext_dump/enable");
        Files.createDirectories(enable.getParent());
        Files.writeString(enable, "0");
        Files.writeString(dir.resolve("tracing/trace"), String.join("\n", TRACE));
        Path sysrq = Files.createFile(dir.resolve("sysrq-trigger"));
        String r = new SchedExtDump(dir.resolve("tracing"), sysrq).take(0);
        // a stand-in trace file is only cleared, never written by a kernel: nothing to report, and it says so
        assertThat(r).contains("SysRq-D wrote nothing");
        assertThat(Files.readString(sysrq)).isEqualTo("D");
        assertThat(Files.readString(enable)).isEqualTo("0");
    }
}
