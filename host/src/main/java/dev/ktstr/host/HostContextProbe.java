package dev.ktstr.host;

import dev.ktstr.protocol.sidecar.HostContext;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads the {@link HostContext} of the machine this JVM runs on (Linux /proc and /sys); unreadable facts stay null. */
public final class HostContextProbe {
    private HostContextProbe() {}

    public static HostContext capture() {
        Map<String, String> cpuinfo = keyValues(Path.of("/proc/cpuinfo"), ":");
        Map<String, String> meminfo = keyValues(Path.of("/proc/meminfo"), ":");
        Map<String, String> tunables = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/sys/kernel"), "sched_*")) {
            for (Path p : ds) {
                String v = read(p);
                if (v != null) {
                    tunables.put(p.getFileName().toString(), v);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux or /proc not mounted: leave empty
        }
        Map<String, String> governors = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/sys/devices/system/cpu"), "cpu[0-9]*")) {
            for (Path p : ds) {
                String g = read(p.resolve("cpufreq/scaling_governor"));
                if (g != null) {
                    governors.put(p.getFileName().toString(), g);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cpufreq (VMs): leave empty
        }
        int numa = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/sys/devices/system/node"), "node[0-9]*")) {
            for (Path p : ds) {
                String cpus = read(p.resolve("cpulist"));
                if (cpus != null && !cpus.isBlank()) {
                    numa++;
                }
            }
        } catch (IOException | RuntimeException e) {
            numa = 0;
        }
        String hostname;
        try {
            hostname = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            hostname = null;
        }
        return new HostContext(hostname, cpuinfo.get("model name"), cpuinfo.get("vendor_id"), kb(meminfo.get("MemTotal")),
                kb(meminfo.get("HugePages_Total")), kb(meminfo.get("HugePages_Free")), kb(meminfo.get("Hugepagesize")),
                read(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")),
                read(Path.of("/sys/kernel/mm/transparent_hugepage/defrag")), tunables,
                Runtime.getRuntime().availableProcessors(), numa == 0 ? null : numa, governors,
                System.getProperty("os.name"), read(Path.of("/proc/sys/kernel/osrelease")), System.getProperty("os.arch"),
                read(Path.of("/proc/cmdline")), System.getProperty("java.version"));
    }

    private static Map<String, String> keyValues(Path p, String sep) {
        Map<String, String> m = new TreeMap<>();
        try {
            List<String> lines = Files.readAllLines(p);
            for (String l : lines) {
                int i = l.indexOf(sep);
                if (i > 0) {
                    m.putIfAbsent(l.substring(0, i).strip(), l.substring(i + 1).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // leave empty
        }
        return m;
    }

    private static Long kb(String v) {
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.replace("kB", "").strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
