package dev.ktstr.guest.agent;

import dev.ktstr.protocol.guest.WatchdogEvent;
import java.util.List;
import java.util.Locale;

/**
 * The wording of a scheduler's death: its exit status decoded (the JDK reports a process killed by
 * signal n as exit status 128 + n, as shells do), and, when the harness's own work-conservation
 * watchdog had signalled it, that the harness did it, so the verdict never blames the scheduler
 * for a signal it was sent.
 */
final class SchedulerDeathAccount {
    /** Linux x86-64 signal numbers 1-31 (signal(7)); real-time signals are named SIGRTMIN+n. */
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
            "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",
            "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
            "SIGSYS"};
    static final int SIGUSR2 = 12;
    private static final int SIGRTMIN = 34;
    private static final int SIGNAL_BASE = 128;
    private static final int MAX_SIGNAL = 64;

    private SchedulerDeathAccount() {}

    /** The signal a JDK exit status stands for, or 0 for a normal exit (or an unknown status, -1). */
    static int signal(int exitStatus) {
        return exitStatus > SIGNAL_BASE && exitStatus <= SIGNAL_BASE + MAX_SIGNAL ? exitStatus - SIGNAL_BASE : 0;
    }

    static String signalName(int sig) {
        if (sig > 0 && sig < NAMES.length) return NAMES[sig];
        return sig >= SIGRTMIN ? "SIGRTMIN+" + (sig - SIGRTMIN) : "signal " + sig;
    }

    /** "exited with 1", "was killed by SIGUSR2 (signal 12; exit status 140)". */
    static String exitStatus(int exitStatus) {
        int sig = signal(exitStatus);
        if (sig == 0) return "exited with " + exitStatus;
        return "was killed by " + signalName(sig) + " (signal " + sig + "; exit status " + exitStatus + ")";
    }

    /** "after a 2400 ms gap on CPU 1 (worker 0 of cgroup cg_0, SIGUSR2 at 12.3 s; threshold 2000 ms)". */
    static String event(WatchdogEvent e) {
        return "after a " + e.gapMs() + " ms gap on CPU " + e.cpu() + " (worker " + e.workerIndex() + " of cgroup " + e.cgroup()
                + ", SIGUSR2 at " + String.format(Locale.ROOT, "%.1f", e.guestUptimeMs() / 1000.0) + " s; threshold " + e.thresholdMs() + " ms)";
    }

    /**
     * The death detail with the watchdog's part in it. {@code exitStatus} is -1 while the process
     * still runs (an ejection the kernel made). The first signal sent is the one that mattered.
     */
    static String explain(String detail, int exitStatus, List<WatchdogEvent> events, int firings) {
        if (events.isEmpty()) return detail;
        WatchdogEvent first = events.get(0);
        String more = firings > 1 ? "; the watchdog fired " + firings + " times" : "";
        if (signal(exitStatus) == SIGUSR2) {
            return "killed by the harness's work-conservation watchdog " + event(first) + more
                    + ": the watchdog's SIGUSR2 ended the scheduler, which does not handle it (" + detail + ")";
        }
        if (exitStatus >= 0) {
            return "the scheduler " + exitStatus(exitStatus) + " after the harness's work-conservation watchdog sent it SIGUSR2 "
                    + event(first) + more + " (" + detail + ")";
        }
        return detail + "; the harness's work-conservation watchdog had sent the scheduler SIGUSR2 " + event(first) + more;
    }
}
