package dev.ktstr.host;

import java.nio.file.Files;
import java.nio.file.Path;

final class Fixtures {
    private Fixtures() {}

    /** A pid no process has now: scanned down from pid_max, where the kernel reaches last. */
    static long unusedPid() {
        long max = 32768;
        try {
            // readAllLines: on this host readString of a sysctl file returned only its first byte
            max = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip());
        } catch (Exception e) {
            // the default
        }
        for (long p = max - 1; p > 1; p--) if (ProcessHandle.of(p).isEmpty() && !Files.exists(Path.of("/proc", Long.toString(p)))) return p;
        throw new AssertionError("no free pid");
    }

    static Path touch(Path p) throws Exception {
        Files.createDirectories(p.getParent());
        return Files.writeString(p, "x");
    }
}
