package dev.ktstr.vmm.qemu;

import dev.ktstr.host.LeftoverReaper;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps the QEMU argv so QEMU cannot outlive the JVM, even after {@code kill -9}: a POSIX sh
 * forks a watchdog that polls QEMU's parent pid every 0.5 s and SIGKILLs QEMU once the parent
 * is no longer this JVM, then execs QEMU in its own place (so the JVM's child pid is QEMU's).
 * The watchdog compares QEMU's start time to its own record so a recycled pid is never killed,
 * and after a kill it removes the VM's run directory and shared-RAM file.
 */
final class QemuLaunch {
    // LeftoverReaper identifies a dead owner's QEMU by these variables.
    static final String OWNER_ENV = LeftoverReaper.OWNER_PID_ENV;
    /** Removed by the watchdog after it killed QEMU: the orphan's sockets and console log. */
    static final String RUN_DIR_ENV = LeftoverReaper.RUN_DIR_ENV;
    /** Shared guest-RAM file (and its per-node ".N" siblings) to remove as well; may be unset. */
    static final String MEM_FILE_ENV = LeftoverReaper.MEM_FILE_ENV;

    static final String WATCHDOG = String.join("\n",
            "q=$$",
            "(",
            "  trap '' INT HUP TERM QUIT",
            "  read -r l < /proc/$q/stat || exit 0",
            "  set -- $l; st=${22}",
            "  while :; do",
            "    sleep 0.5",
            "    read -r l < /proc/$q/stat || exit 0",
            "    set -- $l",
            "    [ \"${22}\" = \"$st\" ] || exit 0",
            "    [ \"$4\" = \"$" + OWNER_ENV + "\" ] || break",
            "  done",
            "  kill -KILL $q",
            "  sleep 0.2",
            "  [ -n \"$" + RUN_DIR_ENV + "\" ] && rm -rf -- \"$" + RUN_DIR_ENV + "\"",
            "  [ -n \"$" + MEM_FILE_ENV + "\" ] && rm -f -- \"$" + MEM_FILE_ENV + "\" \"$" + MEM_FILE_ENV + "\".[0-9]*",
            "  exit 0",
            ") </dev/null >/dev/null 2>&1 &",
            "exec \"$@\"");

    private QemuLaunch() {}

    static List<String> wrap(List<String> qemuArgv) {
        List<String> a = new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, "ktstr-qemu"));
        a.addAll(qemuArgv);
        return a;
    }
}
