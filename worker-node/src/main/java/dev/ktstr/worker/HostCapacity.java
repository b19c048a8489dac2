package dev.ktstr.worker;

import dev.ktstr.protocol.job.WorkerCapacity;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads what this host can offer from /proc and /sys. */
public final class HostCapacity {
    private HostCapacity() {
    }

    /**
     * @param slots concurrent VMs; 0 means "one per two host CPUs, at least one"
     */
    public static WorkerCapacity detect(String nodeId, int slots, String accelerator, Set<String> cachedKernels) {
        int cpus = Runtime.getRuntime().availableProcessors();
        int llcs = Math.max(1, countDistinct("/sys/devices/system/cpu", "cache/index3/shared_cpu_list"));
        int nodes = Math.max(1, countDirs(Path.of("/sys/devices/system/node"), "node"));
        long memMb = memTotalMb();
        int s = slots > 0 ? slots : Math.max(1, cpus / 2);
        // TCG pins too (vCPU threads stay SCHED_OTHER there, see PerfMode.apply); pinning needs root here
        boolean perf = isRoot();
        return new WorkerCapacity(nodeId, cpus, llcs, nodes, memMb, accelerator, cachedKernels, perf, s);
    }

    /** {@code kvm} when /dev/kvm is usable and the CPU has vmx/svm; {@code tcg} otherwise. */
    public static String detectAccelerator() {
        try {
            if (!Files.isReadable(Path.of("/dev/kvm")) || !Files.isWritable(Path.of("/dev/kvm"))) return "tcg";
            String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
            return cpuinfo.contains(" vmx") || cpuinfo.contains(" svm") ? "kvm" : "tcg";
        } catch (IOException e) {
            return "tcg";
        }
    }

    static long memTotalMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: a conservative guess beats refusing to start
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int countDistinct(String cpuDir, String rel) {
        Set<String> seen = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(cpuDir), "cpu[0-9]*")) {
            for (Path cpu : ds) {
                Path f = cpu.resolve(rel);
                if (Files.isReadable(f)) seen.add(Files.readString(f).trim());
            }
        } catch (IOException e) {
            return 0;
        }
        return seen.size();
    }

    private static int countDirs(Path dir, String prefix) {
        try (var s = Files.list(dir)) {
            List<Path> l = s.filter(p -> p.getFileName().toString().matches(prefix + "[0-9]+")).toList();
            return l.size();
        } catch (IOException e) {
            return 0;
        }
    }
}
