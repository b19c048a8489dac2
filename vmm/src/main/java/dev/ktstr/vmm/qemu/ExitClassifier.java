package dev.ktstr.vmm.qemu;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns what was observed about a finished QEMU into a {@link VmExit}. Pure. */
public final class ExitClassifier {
    private static final Pattern CRASH = Pattern.compile(
            "(Kernel panic - not syncing[^\\r\\n]*|Oops: [^\\r\\n]*|BUG: kernel NULL pointer[^\\r\\n]*|BUG: unable to handle[^\\r\\n]*|KVM internal error[^\\r\\n]*)");
    private static final Pattern EXIT = Pattern.compile("(?m)^.*?" + Pattern.quote(QemuCommandBuilder.EXIT_MARKER) + "(-?\\d+)\\s*$");
    private static final String POWER_DOWN = "reboot: Power down";

    private ExitClassifier() {}

    /**
     * @param qemuStatus   QEMU's exit status
     * @param console      the whole console log
     * @param qemuStderr   QEMU's stderr
     * @param timedOut     the host deadline fired
     * @param timeout      the deadline
     * @param stopReason   set when the host stopped QEMU for another reason
     */
    public static VmExit classify(int qemuStatus, String console, String qemuStderr, boolean timedOut,
                                  Duration timeout, Optional<String> stopReason) {
        boolean reachedInit = console.contains(QemuCommandBuilder.INIT_MARKER);
        Optional<VmExit.KernelPanic> crash = crash(console + "\n" + qemuStderr);
        if (crash.isPresent()) return crash.get();
        OptionalInt code = exitCode(console);
        if (timedOut && code.isEmpty()) return new VmExit.Timeout(timeout, reachedInit);
        // A clean power-off is recognised even at status 0 without the kernel line (quiet consoles).
        if (code.isPresent() || console.contains(POWER_DOWN)) return new VmExit.GuestPoweroff(code);
        if (stopReason.isPresent()) return new VmExit.Stopped(stopReason.get());
        if (qemuStatus == 0) {
            // "QEMU: Terminated" is printed by the stdio mux on Ctrl-A X.
            return new VmExit.Stopped(console.contains("QEMU: Terminated") ? "Ctrl-A X" : "QEMU exited without a guest power-off");
        }
        if (qemuStatus == 128 + 9 || qemuStatus == 128 + 15 || qemuStatus == 128 + 2) {
            return new VmExit.Stopped("QEMU killed by signal " + (qemuStatus - 128));
        }
        return new VmExit.QemuError(qemuStatus, qemuStderr);
    }

    /** The first crash line and up to 40 lines around it. */
    public static Optional<VmExit.KernelPanic> crash(String console) {
        Matcher m = CRASH.matcher(console);
        if (!m.find()) return Optional.empty();
        int initAt = console.indexOf(QemuCommandBuilder.INIT_MARKER);
        boolean beforeInit = initAt < 0 || initAt > m.start();
        List<String> lines = console.substring(Math.max(0, console.lastIndexOf('\n', Math.max(0, m.start() - 1)) + 1)).lines().limit(40).toList();
        return Optional.of(new VmExit.KernelPanic(m.group(1).strip(), String.join("\n", lines), beforeInit));
    }

    /** The last {@code KTSTR_EXIT=n} line. */
    public static OptionalInt exitCode(String console) {
        Matcher m = EXIT.matcher(console);
        OptionalInt last = OptionalInt.empty();
        while (m.find()) {
            try {
                last = OptionalInt.of(Integer.parseInt(m.group(1)));
            } catch (NumberFormatException e) {
                // out of int range: ignore, an exit code never is
            }
        }
        return last;
    }
}
