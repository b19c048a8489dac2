package dev.ktstr.vmm.qemu;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Host-side files of one VM: console log, QMP socket, one unix socket per virtio-serial port, and
 * the shared guest-RAM file when RAM is shared.
 */
public record VmPaths(Path runDir, Path consoleLog, Path qmpSocket, Map<String, Path> portSockets, Path memoryFile) {
    public VmPaths {
        Objects.requireNonNull(runDir, "runDir");
        portSockets = Map.copyOf(portSockets);
    }

    /** The standard layout inside {@code runDir}; unix socket paths stay short (sun_path is 108 bytes). */
    public static VmPaths in(Path runDir, VmSpec spec) {
        Map<String, Path> ports = new LinkedHashMap<>();
        for (int i = 0; i < spec.ports().size(); i++) {
            ports.put(spec.ports().get(i), runDir.resolve("p" + i + ".sock"));
        }
        Path mem = spec.sharedMemoryDir().map(d -> d.resolve(spec.name() + "-" + runDir.getFileName() + ".ram")).orElse(null);
        return new VmPaths(runDir, spec.consoleLog().orElse(runDir.resolve("console.log")), runDir.resolve("qmp.sock"), ports, mem);
    }
}
