package dev.ktstr.guest.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Guest uptime (from /proc/uptime), the common time base of agent frames and the kernel log. */
public final class AgentClock {
    private AgentClock() {}

    public static long uptimeMs() {
        try {
            String s = Files.readString(Path.of("/proc/uptime")).trim();
            return (long) (Double.parseDouble(s.substring(0, s.indexOf(' '))) * 1000);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
