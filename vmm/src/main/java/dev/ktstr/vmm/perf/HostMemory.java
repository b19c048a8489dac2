package dev.ktstr.vmm.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Host facts for guest memory placement: free 2 MiB hugepages and a hugetlbfs mount QEMU can
 * put the RAM file on (the host monitor maps that file like a /dev/shm one).
 */
public record HostMemory(long freeHugepages2M, Optional<Path> hugetlbfsMount, int procsRunning) {
    public static HostMemory read() {
        long free = 0;
        Optional<Path> mount = Optional.empty();
        int running = 0;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("HugePages_Free:")) free = Long.parseLong(l.substring(15).strip());
            }
            for (String l : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = l.split(" ");
                if (f.length > 3 && f[2].equals("hugetlbfs") && !f[3].contains("pagesize=1G")) {
                    mount = Optional.of(Path.of(f[1]));
                    break;
                }
            }
            for (String l : Files.readAllLines(Path.of("/proc/stat"))) {
                if (l.startsWith("procs_running ")) running = Integer.parseInt(l.substring(14).strip());
            }
        } catch (IOException | RuntimeException e) {
            // no /proc details: plan without hugepages and without the load warning
        }
        return new HostMemory(free, mount, running);
    }
}
