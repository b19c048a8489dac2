package dev.ktstr.protocol.guest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * How the guest starts the scheduler under test. Sysctls and kernel args are already on the
 * kernel command line; the host assembled {@code args} in spec order (config, cell parent,
 * sched args, test args, flag args).
 *
 * @param name            display name (sidecars, logs)
 * @param kind            {@link Kind#BINARY} runs {@code binaryPath}; {@link Kind#KERNEL_BUILTIN} only runs the commands
 * @param binaryPath      absolute guest path of the scheduler executable (BINARY only)
 * @param args            argument list, one element per argument (no shell splitting)
 * @param cgroupParent    absolute cgroup path (≠ "/") created under /sys/fs/cgroup before start, or null
 * @param enableCommands  {@code sh -c} commands run before the scenario (KERNEL_BUILTIN, also allowed for BINARY)
 * @param disableCommands {@code sh -c} commands run after the scenario
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record SchedulerLaunch(
        String name,
        Kind kind,
        String binaryPath,
        List<String> args,
        String cgroupParent,
        List<String> enableCommands,
        List<String> disableCommands) {

    public enum Kind { BINARY, KERNEL_BUILTIN }

    public SchedulerLaunch {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.BINARY && (binaryPath == null || !binaryPath.startsWith("/"))) {
            throw new IllegalArgumentException("scheduler '" + name + "': a BINARY scheduler needs an absolute guest binaryPath, got " + binaryPath);
        }
        if (cgroupParent != null && (!cgroupParent.startsWith("/") || cgroupParent.equals("/"))) {
            throw new IllegalArgumentException("scheduler '" + name + "': cgroupParent must be an absolute path other than \"/\", got " + cgroupParent);
        }
        args = args == null ? List.of() : List.copyOf(args);
        enableCommands = enableCommands == null ? List.of() : List.copyOf(enableCommands);
        disableCommands = disableCommands == null ? List.of() : List.copyOf(disableCommands);
    }

    public static SchedulerLaunch binary(String name, String binaryPath, List<String> args) {
        return new SchedulerLaunch(name, Kind.BINARY, binaryPath, args, null, List.of(), List.of());
    }
}
