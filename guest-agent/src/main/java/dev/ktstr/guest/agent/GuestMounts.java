package dev.ktstr.guest.agent;

import dev.ktstr.guest.sys.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes sure the filesystems the agent needs are mounted (the shell-mode /init mounts them; this
 * covers a different /init) and that the root cgroup delegates cpu, cpuset, memory and pids.
 */
public final class GuestMounts {
    /** Mount point, fs type, required. */
    record Need(String target, String type, boolean required) {}

    static final List<Need> NEEDS = List.of(
            new Need("/proc", "proc", true),
            new Need("/sys", "sysfs", true),
            new Need("/tmp", "tmpfs", true),
            new Need("/sys/fs/cgroup", "cgroup2", true),
            new Need("/sys/kernel/debug", "debugfs", false),
            new Need("/sys/kernel/tracing", "tracefs", false),
            new Need("/sys/fs/bpf", "bpf", false));

    static final List<String> ROOT_CONTROLLERS = List.of("cpu", "cpuset", "memory", "pids");

    private GuestMounts() {}

    /** Returns warnings (optional mounts that failed); throws when a required one is missing. */
    public static List<String> ensure() throws IOException {
        List<String> warnings = new ArrayList<>();
        Set<String> mounted = mountedAt();
        for (Need n : NEEDS) {
            if (mounted.contains(n.target() + " " + n.type())) continue;
            Files.createDirectories(Path.of(n.target()));
            int rc = LibC.mount(n.type(), n.target(), n.type(), 0, null);
            if (rc != 0) {
                String msg = "mount -t " + n.type() + " " + n.target() + " failed: errno " + LibC.errno();
                if (n.required()) throw new IOException(msg + " (the kernel needs CONFIG for " + n.type() + ")");
                warnings.add(msg);
            }
        }
        enableRootControllers(warnings);
        return warnings;
    }

    static Set<String> mountedAt() throws IOException {
        Set<String> s = new HashSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            if (f.length >= 3) s.add(f[1] + " " + f[2]);
        }
        return s;
    }

    private static void enableRootControllers(List<String> warnings) throws IOException {
        Path root = Path.of("/sys/fs/cgroup");
        Set<String> have = Set.of(Files.readString(root.resolve("cgroup.controllers")).trim().split("\\s+"));
        StringBuilder want = new StringBuilder();
        for (String c : ROOT_CONTROLLERS) {
            if (have.contains(c)) want.append(want.length() == 0 ? "" : " ").append('+').append(c);
            else warnings.add("cgroup controller '" + c + "' is not available in the guest kernel");
        }
        if (want.length() > 0) Files.writeString(root.resolve("cgroup.subtree_control"), want.toString());
    }
}
