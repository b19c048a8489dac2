package dev.ktstr.guest.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * sched_ext's debug dump on demand (SysRq-D): per-CPU state, the runnable tasks with their DSQs and
 * stacks, and the scheduler's own dump callbacks. The kernel writes it only to the
 * {@code sched_ext_dump} tracepoint (not the kernel log), so the event is enabled, the trace buffer
 * cleared, the SysRq written, and the event's lines read back.
 */
final class SchedExtDump {
    static final int MAX_LINES = 600;
    static final int MAX_BYTES = 96 * 1024;
    private static final String MARK = "sched_ext_dump: ";

    private final Path tracing;
    private final Path sysrq;

    SchedExtDump(Path tracing, Path sysrq) {
        this.tracing = tracing;
        this.sysrq = sysrq;
    }

    static SchedExtDump system() {
        return new SchedExtDump(Path.of("/sys/kernel/tracing"), Path.of("/proc/sysrq-trigger"));
    }

    /** The dump's lines (capped), or one line saying why there is none. */
    String take(long settleMs) throws InterruptedException {
        Path enable = tracing.resolve("events/sched_ext/sched_ext_dump/enable");
        Path trace = tracing.resolve("trace");
        try {
            if (!Files.exists(enable)) {
                return "no sched_ext dump: " + enable + " is missing (kernel without tracepoints or tracefs not mounted)";
            }
            Files.writeString(enable, "1");
            Files.writeString(trace, ""); // an empty write clears the buffer
            Files.writeString(sysrq, "D");
            Thread.sleep(settleMs);
            List<String> lines = dumpLines(Files.readAllLines(trace, StandardCharsets.UTF_8));
            Files.writeString(enable, "0");
            return lines.isEmpty() ? "no sched_ext dump: SysRq-D wrote nothing (no sched_ext scheduler enabled?)" : String.join("\n", lines);
        } catch (IOException e) {
            return "no sched_ext dump: " + e.getMessage();
        }
    }

    /** The text of each {@code sched_ext_dump} event, in order, capped. */
    static List<String> dumpLines(List<String> trace) {
        List<String> out = new ArrayList<>();
        int bytes = 0;
        for (String l : trace) {
            int at = l.indexOf(MARK);
            if (at < 0 || l.startsWith("#")) continue;
            String text = l.substring(at + MARK.length());
            if (out.size() >= MAX_LINES || bytes + text.length() > MAX_BYTES) {
                out.add("... (dump cut at " + out.size() + " lines)");
                break;
            }
            out.add(text);
            bytes += text.length() + 1;
        }
        return out;
    }
}
