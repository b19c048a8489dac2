package dev.ktstr.protocol.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** sched_ext's exit account from the texts a real scx_qmap {@code -e 5000} run left (6.12, TCG). */
class SchedExtExitTest {
    static final List<String> KERNEL = List.of(
            "sched_ext: BPF scheduler \"qmap\" enabled",
            "sched_ext: \"qmap\" does not implement cgroup cpu.weight",
            "sched_ext: BPF scheduler \"qmap\" disabled (scx_bpf_error)",
            "sched_ext: qmap: test triggering error",
            "  bpf__sched_ext_ops_enqueue+0x4b/0xa7",
            "  enqueue_task_scx+0x1c8/0x2a0");
    static final String SCHED_LOG = String.join("\n",
            "stats  : enq=4990 dsp=4990 delta=0 reenq=0 deq=0 core=0 enq_ddsp=0",
            "",
            "DEBUG DUMP",
            "================================================================================",
            "",
            "kworker/u8:1[40] triggered exit kind 1025:",
            "  scx_bpf_error (test triggering error)",
            "",
            "    QMAP: force_local=0 core_sched_seq=5369",
            "",
            "================================================================================",
            "",
            "EXIT: scx_bpf_error (test triggering error)",
            "");

    @Test
    void theKernelNamesTheKindAndTheSchedulerGivesTheDump() {
        SchedExtExit x = SchedExtExit.parse(SCHED_LOG, KERNEL, null);
        assertThat(x.kind()).isEqualTo(SchedExtExit.Kind.ERROR_BPF);
        assertThat(x.reason()).isEqualTo("scx_bpf_error");
        assertThat(x.message()).isEqualTo("test triggering error");
        assertThat(x.bpfErrorText()).isEqualTo("test triggering error");
        assertThat(x.headline()).isEqualTo("scx_bpf_error: test triggering error");
        assertThat(x.failure()).isTrue();
        assertThat(x.backtrace()).containsExactly("bpf__sched_ext_ops_enqueue+0x4b/0xa7", "enqueue_task_scx+0x1c8/0x2a0");
        assertThat(x.dump()).startsWith("kworker/u8:1[40] triggered exit kind 1025:").endsWith("QMAP: force_local=0 core_sched_seq=5369")
                .doesNotContain("=====").doesNotContain("EXIT:");
        assertThat(x.source()).isEqualTo("kernel log, scheduler log");
    }

    @Test
    void theSchedulersExitLineStandsInForAnUnreadKernelLog() {
        SchedExtExit x = SchedExtExit.parse(SCHED_LOG, List.of(), null);
        assertThat(x.kind()).isEqualTo(SchedExtExit.Kind.ERROR_BPF);
        assertThat(x.message()).isEqualTo("test triggering error");
        assertThat(x.backtrace()).isEmpty();
        SchedExtExit stall = SchedExtExit.parse("EXIT: runnable task stall (kworker/0:1[25] failed to run for 5.4s)\n", null, null);
        assertThat(stall.kind()).isEqualTo(SchedExtExit.Kind.ERROR_STALL);
        assertThat(stall.message()).isEqualTo("kworker/0:1[25] failed to run for 5.4s");
    }

    @Test
    void aRequestedUnregistrationIsNoFailure() {
        SchedExtExit x = SchedExtExit.parse("EXIT: unregistered from user space\n",
                List.of("sched_ext: BPF scheduler \"qmap\" disabled (unregistered from user space)"), null);
        assertThat(x.kind()).isEqualTo(SchedExtExit.Kind.UNREG);
        assertThat(x.failure()).isFalse();
        assertThat(x.message()).isNull();
        assertThat(x.headline()).isEqualTo("unregistered from user space");
        assertThat(SchedExtExit.parse("EXIT: unregistered from BPF (done)\n", List.of(), null).kind()).isEqualTo(SchedExtExit.Kind.UNREG_BPF);
    }

    @Test
    void theTraceDumpIsTheDumpWhenTheSchedulerPrintedNone() {
        String trace = "# tracer: nop\n"
                + "  kworker/u8:2-41  [001] d..2.  40.096: sched_ext_dump: kworker/u8:2[41] triggered exit kind 1025:\n"
                + "  kworker/u8:2-41  [001] d..2.  40.096: sched_ext_dump:   scx_bpf_error (boom)\n";
        SchedExtExit x = SchedExtExit.parse("", KERNEL.subList(2, 4), SchedExtExit.traceDumpLines(trace));
        assertThat(x.dump()).isEqualTo("kworker/u8:2[41] triggered exit kind 1025:\n  scx_bpf_error (boom)");
        assertThat(x.source()).isEqualTo("kernel log, sched_ext_dump trace");
    }

    @Test
    void nothingSaidIsNoAccount() {
        assertThat(SchedExtExit.parse("usage: scx_simple [-v]\n", List.of("sched_ext: BPF scheduler \"simple\" enabled"), "")).isNull();
        assertThat(SchedExtExit.parse(null, null, null)).isNull();
    }
}
