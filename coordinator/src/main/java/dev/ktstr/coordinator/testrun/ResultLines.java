package dev.ktstr.coordinator.testrun;

import dev.ktstr.protocol.job.JobResult;
import java.util.Locale;

/** The one-line-per-variant output of {@code ktstr test} and the failure report under it. */
public final class ResultLines {
    private ResultLines() {}

    /** {@code PASS  ktstr/name  1n1l2c1t  tcg  12.3s  message}. */
    public static String line(VariantOutcome o) {
        JobResult r = o.result();
        Long total = r.phaseTimingsMs().get("total");
        String secs = total == null ? "-" : String.format(Locale.ROOT, "%.1fs", total / 1000.0);
        String word = switch (r.status()) {
            case PASS -> "PASS";
            case FAIL -> "FAIL";
            case SKIP -> "SKIP";
            case TIMEOUT -> "TIMEOUT";
            case INFRA_ERROR -> "INFRA";
            case COMPLETED -> "UNJUDGED"; // never recorded: the coordinator judges every completed VM
        };
        return String.format(Locale.ROOT, "%-7s %-60s %-10s %-4s %7s  %s", word, o.variant().name(),
                o.variant().topology().render(), r.accelerator() == null ? "-" : r.accelerator(), secs, r.message());
    }

    /** Phase order of {@link #phases}: host, VM, guest agent, workload, teardown (keys of the job's timing map). */
    static final String[][] PHASES = {{"host_prepare", "prepare"}, {"qemu_start", "qemu"}, {"kernel_to_init", "kernel"},
            {"agent_jvm", "agent-jvm"}, {"boot", "=hello"}, {"scheduler_attach", "sched-attach"}, {"agent_ready", "to-scenario"},
            {"worker_spawn", "spawn"}, {"scenario", "scenario"}, {"collection", "collect"}, {"teardown", "teardown"},
            {"total", "total"}};

    /** {@code   phases: prepare 0.4s  qemu 0.3s  kernel 1.5s ...}: where the variant's wall time went; absent phases are left out. */
    public static String phases(VariantOutcome o) {
        StringBuilder b = new StringBuilder("        phases:");
        for (String[] p : PHASES) {
            Long v = o.result().phaseTimingsMs().get(p[0]);
            if (v != null) b.append(' ').append(p[1]).append(' ').append(String.format(Locale.ROOT, "%.2fs", v / 1000.0));
        }
        return b.toString();
    }

    /** Spec §4.7 shaped: header, verdict details, then the guest/console evidence. */
    public static String failureReport(VariantOutcome o) {
        JobResult r = o.result();
        StringBuilder b = new StringBuilder();
        b.append("---- ").append(o.variant().name()).append(" [").append(o.variant().topology().render()).append("] ")
                .append(r.status()).append(" ----\n");
        b.append(r.message()).append('\n');
        if (!r.details().isEmpty()) b.append(r.details());
        if (b.charAt(b.length() - 1) != '\n') b.append('\n');
        b.append("---- end ").append(o.variant().name()).append(" ----");
        return b.toString();
    }
}
