package dev.ktstr.protocol.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * sched_ext's own account of why a BPF scheduler stopped, read in the guest from the three places
 * the kernel and the scheduler leave it: the kernel log ({@code sched_ext: BPF scheduler "qmap"
 * disabled (scx_bpf_error)}, then {@code sched_ext: qmap: <message>} and the backtrace), the
 * scheduler's own output (the kernel tree's schedulers print {@code EXIT: <reason> (<message>)}
 * through UEI_REPORT, after a {@code DEBUG DUMP} block), and the {@code sched_ext_dump} tracepoint.
 *
 * @param kind      the exit kind, from the kernel's reason text
 * @param reason    the kernel's reason text ("scx_bpf_error", "runnable task stall", ...)
 * @param message   the exit message: for an scx_bpf_error the error's text, for a stall which task
 *                  stalled; null when neither the kernel nor the scheduler printed one
 * @param dump      the debug dump (the scheduler's DEBUG DUMP block, else the sched_ext_dump trace
 *                  lines), null when there was none
 * @param backtrace the kernel's backtrace of the exit (error kinds only), empty when none
 * @param source    where the account was read ("kernel log", "scheduler log", "sched_ext_dump trace")
 */
public record SchedExtExit(Kind kind, String reason, String message, String dump, List<String> backtrace, String source) {
    public SchedExtExit {
        backtrace = backtrace == null ? List.of() : List.copyOf(backtrace);
    }

    /** {@code enum scx_exit_kind}, with the text {@code scx_exit_reason()} gives each in 6.12. */
    public enum Kind {
        UNREG("unregistered from user space"),
        UNREG_BPF("unregistered from BPF"),
        UNREG_KERN("unregistered from the main kernel"),
        SYSRQ("disabled by sysrq-S"),
        ERROR("runtime error"),
        ERROR_BPF("scx_bpf_error"),
        ERROR_STALL("runnable task stall"),
        UNKNOWN("");

        public final String kernelText;

        Kind(String kernelText) {
            this.kernelText = kernelText;
        }

        static Kind of(String reason) {
            for (Kind k : values()) if (k != UNKNOWN && k.kernelText.equals(reason)) return k;
            return UNKNOWN;
        }
    }

    /** An error exit (SCX_EXIT_ERROR and above): the scheduler or the kernel found a bug. */
    public boolean failure() {
        return kind == Kind.ERROR || kind == Kind.ERROR_BPF || kind == Kind.ERROR_STALL || kind == Kind.UNKNOWN;
    }

    /** The scx_bpf_error text, or null when the exit was not an scx_bpf_error. */
    public String bpfErrorText() {
        return kind == Kind.ERROR_BPF ? message : null;
    }

    /** {@code scx_bpf_error: test triggering error}: reason and message, for a headline. */
    public String headline() {
        return message == null || message.isEmpty() ? reason : reason + ": " + message;
    }

    private static final Pattern KERNEL_DISABLED = Pattern.compile("sched_ext: BPF scheduler \"([^\"]*)\" disabled \\((.*)\\)\\s*$");
    private static final Pattern EXIT_LINE = Pattern.compile("^EXIT: (.*?)\\s*$");
    private static final String DUMP_START = "DEBUG DUMP";
    private static final String SEPARATOR = "================================================================================";
    static final int DUMP_CAP_CHARS = 64 * 1024;

    /**
     * The account from the scheduler's output, the sched_ext kernel log lines (in order, backtrace
     * lines with their leading blanks) and the sched_ext_dump trace text; null when none of them
     * says anything (a kernel built-in scheduler, or a scheduler that died before it attached).
     * The kernel's lines decide the kind; the scheduler's EXIT line stands in when the kernel log
     * was not read.
     */
    public static SchedExtExit parse(String schedulerLog, List<String> kernelLines, String traceDump) {
        List<String> sources = new ArrayList<>();
        String reason = null;
        String message = null;
        List<String> backtrace = new ArrayList<>();
        List<String> kl = kernelLines == null ? List.of() : kernelLines;
        for (int i = 0; i < kl.size(); i++) {
            Matcher m = KERNEL_DISABLED.matcher(kl.get(i));
            if (!m.find()) continue;
            reason = m.group(2);
            message = null;
            backtrace.clear();
            String msgPrefix = "sched_ext: " + m.group(1) + ": ";
            int j = i + 1;
            if (j < kl.size() && kl.get(j).contains(msgPrefix)) {
                String l = kl.get(j);
                message = l.substring(l.indexOf(msgPrefix) + msgPrefix.length()).strip();
                j++;
            }
            for (; j < kl.size() && !kl.get(j).isEmpty() && Character.isWhitespace(kl.get(j).charAt(0)); j++) backtrace.add(kl.get(j).strip());
            if (!sources.contains("kernel log")) sources.add("kernel log");
        }
        String dump = null;
        if (schedulerLog != null && !schedulerLog.isEmpty()) {
            String[] lines = schedulerLog.split("\n", -1);
            String exitLine = null;
            int dumpFrom = -1;
            int dumpTo = -1;
            for (int i = 0; i < lines.length; i++) {
                Matcher m = EXIT_LINE.matcher(lines[i]);
                if (m.find()) exitLine = m.group(1);
                if (lines[i].strip().equals(DUMP_START) && i + 1 < lines.length && lines[i + 1].strip().equals(SEPARATOR)) {
                    dumpFrom = i + 2;
                    dumpTo = -1;
                } else if (dumpFrom >= 0 && dumpTo < 0 && i >= dumpFrom && lines[i].strip().equals(SEPARATOR)) {
                    dumpTo = i;
                }
            }
            if (dumpFrom >= 0) {
                dump = cap(String.join("\n", java.util.Arrays.copyOfRange(lines, dumpFrom, dumpTo < 0 ? lines.length : dumpTo)).strip());
                sources.add("scheduler log");
            }
            if (exitLine != null) {
                String[] rm = splitExitLine(exitLine);
                if (reason == null) reason = rm[0];
                if (message == null) message = rm[1];
                if (!sources.contains("scheduler log")) sources.add("scheduler log");
            }
        }
        if ((dump == null || dump.isEmpty()) && traceDump != null && !traceDump.isBlank()) {
            dump = cap(traceDump.strip());
            sources.add("sched_ext_dump trace");
        }
        if (reason == null && dump == null) return null;
        if (reason == null) reason = "";
        return new SchedExtExit(Kind.of(reason), reason, message == null || message.isEmpty() ? null : message,
                dump == null || dump.isEmpty() ? null : dump, backtrace, String.join(", ", sources));
    }

    /** {@code scx_bpf_error (test triggering error)} → reason, message; a reason the kernel knows is matched whole. */
    static String[] splitExitLine(String s) {
        for (Kind k : Kind.values()) {
            if (k == Kind.UNKNOWN || !s.startsWith(k.kernelText)) continue;
            String rest = s.substring(k.kernelText.length()).strip();
            if (rest.startsWith("(") && rest.endsWith(")")) rest = rest.substring(1, rest.length() - 1);
            return new String[] {k.kernelText, rest.isEmpty() ? null : rest};
        }
        int p = s.indexOf(" (");
        if (p > 0 && s.endsWith(")")) return new String[] {s.substring(0, p), s.substring(p + 2, s.length() - 1)};
        return new String[] {s, null};
    }

    private static String cap(String s) {
        return s.length() <= DUMP_CAP_CHARS ? s : s.substring(0, DUMP_CAP_CHARS) + "\n(dump cut at " + DUMP_CAP_CHARS + " characters)";
    }

    /** The text of the sched_ext_dump events in a tracefs {@code trace} file, one dump line per event. */
    public static String traceDumpLines(String traceFile) {
        if (traceFile == null) return "";
        StringBuilder b = new StringBuilder();
        String tag = "sched_ext_dump: ";
        for (String l : traceFile.split("\n")) {
            int at = l.indexOf(tag);
            if (at >= 0) b.append(l.substring(at + tag.length())).append('\n');
        }
        return b.toString();
    }
}
