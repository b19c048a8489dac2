package dev.ktstr.vmm.qemu;

/** Where the guest's ttyS0 goes. */
public enum ConsoleMode {
    /** Written to the console log file only (the host tails it). */
    LOG_FILE,
    /**
     * Attached to this process's terminal (QEMU puts it in raw mode; Ctrl-A X quits) and also
     * copied to the console log file.
     */
    TERMINAL
}
