package dev.ktstr.vmm.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Host facts for guest memory placement: the 2 MiB hugepage pool and a hugetlbfs mount QEMU can
 * put the RAM file on (the host monitor maps that file like a /dev/shm one), plus the run queue
 * length for the busy-host warning.
 *
 * @param availableHugepages2M free minus reserved 2 MiB pages: what a new VM can still get
 * @param totalHugepages2M     size of the 2 MiB pool ({@code nr_hugepages})
 * @param freeHugepages2MByNode free 2 MiB pages per host NUMA node; empty when the kernel does not say
 * @param hugetlbfsMount       a writable hugetlbfs mount whose page size is 2 MiB
 * @param twoMegIsDefault      2 MiB is the default hugepage size, so {@code /proc/sys/vm/nr_hugepages} sizes this pool
 * @param mountNote            why no mount could be used or made (empty when there is one, or none was needed)
 * @param procsRunning         runnable tasks on the host
 */
public record HostMemory(long availableHugepages2M, long totalHugepages2M, Map<Integer, Long> freeHugepages2MByNode,
                         Optional<Path> hugetlbfsMount, boolean twoMegIsDefault, String mountNote, int procsRunning) {
    static final long TWO_MEG_KB = 2048;
    private static final String POOL = "hugepages-2048kB";
    private static final Pattern PAGESIZE = Pattern.compile("(?:^|,)pagesize=(\\d+)([KMGkmg]?)(?:,|$)");

    public HostMemory {
        freeHugepages2MByNode = Map.copyOf(freeHugepages2MByNode);
    }

    /** A host with {@code available} free 2 MiB pages (all free, none reserved) and an optional mount: for tests and planning. */
    public static HostMemory of(long available, Optional<Path> mount) {
        return new HostMemory(available, available, Map.of(), mount, true, "", 0);
    }

    public static HostMemory read() {
        return read(Path.of("/proc"), Path.of("/sys"));
    }

    /**
     * Like {@link #read()}, but when 2 MiB pages are available and no hugetlbfs is mounted, mounts
     * one at {@code mountPoint} (needs CAP_SYS_ADMIN; the mount stays for later runs). This never
     * changes the size of the pool: reserving pages is left to the administrator.
     */
    public static HostMemory readOrMount(Path mountPoint) {
        HostMemory m = read();
        if (m.hugetlbfsMount().isPresent() || m.availableHugepages2M() == 0) return m;
        try {
            Files.createDirectories(mountPoint);
            Native.mount("ktstr-hugetlbfs", mountPoint, "hugetlbfs", "pagesize=2M");
        } catch (IOException | Native.PermissionDenied | RuntimeException e) {
            return m.withMountNote("no hugetlbfs mounted, and mounting one at " + mountPoint + " failed: " + e.getMessage());
        }
        return read();
    }

    HostMemory withMountNote(String note) {
        return new HostMemory(availableHugepages2M, totalHugepages2M, freeHugepages2MByNode, hugetlbfsMount, twoMegIsDefault, note, procsRunning);
    }

    /**
     * Reads {@code proc/meminfo}, {@code proc/self/mounts}, {@code proc/stat} and the 2 MiB pool under
     * {@code sys/kernel/mm/hugepages} and {@code sys/devices/system/node}. Missing files mean "none".
     */
    static HostMemory read(Path proc, Path sys) {
        String meminfo = readOr(proc.resolve("meminfo"));
        long defaultKb = meminfoValue(meminfo, "Hugepagesize").orElse(TWO_MEG_KB);
        boolean twoMegDefault = defaultKb == TWO_MEG_KB;
        Path pool = sys.resolve("kernel/mm/hugepages").resolve(POOL);
        long total;
        long free;
        long rsvd;
        if (Files.isDirectory(pool)) {
            total = number(pool.resolve("nr_hugepages"));
            free = number(pool.resolve("free_hugepages"));
            rsvd = number(pool.resolve("resv_hugepages"));
        } else if (twoMegDefault) {
            total = meminfoValue(meminfo, "HugePages_Total").orElse(0);
            free = meminfoValue(meminfo, "HugePages_Free").orElse(0);
            rsvd = meminfoValue(meminfo, "HugePages_Rsvd").orElse(0);
        } else {
            total = free = rsvd = 0;
        }
        Map<Integer, Long> byNode = new TreeMap<>();
        Path nodes = sys.resolve("devices/system/node");
        if (Files.isDirectory(nodes)) {
            try (var s = Files.list(nodes)) {
                for (Path n : s.filter(p -> p.getFileName().toString().matches("node\\d+")).toList()) {
                    Path f = n.resolve("hugepages").resolve(POOL).resolve("free_hugepages");
                    if (Files.isRegularFile(f)) byNode.put(Integer.parseInt(n.getFileName().toString().substring(4)), number(f));
                }
            } catch (IOException e) {
                byNode.clear(); // per-node counts are a refinement; without them only the total is checked
            }
        }
        String mounts = readOr(proc.resolve("self/mounts"));
        Optional<Path> mount = hugetlbfsMount(mounts, defaultKb);
        return new HostMemory(Math.max(0, free - rsvd), total, byNode, mount, twoMegDefault, "", procsRunning(readOr(proc.resolve("stat"))));
    }

    /** The first writable hugetlbfs mount in a {@code /proc/self/mounts} text whose page size is 2 MiB. */
    static Optional<Path> hugetlbfsMount(String mounts, long defaultHugepageKb) {
        for (String l : mounts.split("\n")) {
            String[] f = l.split(" ");
            if (f.length < 4 || !f[2].equals("hugetlbfs")) continue;
            if (pageSizeKb(f[3], defaultHugepageKb) != TWO_MEG_KB) continue;
            Path p = Path.of(unescape(f[1]));
            if (Files.isDirectory(p) && Files.isWritable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** A hugetlbfs mount's page size: its {@code pagesize=} option, else the default hugepage size. */
    static long pageSizeKb(String options, long defaultKb) {
        Matcher m = PAGESIZE.matcher(options);
        if (!m.find()) return defaultKb;
        long v = Long.parseLong(m.group(1));
        return switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
            case "K" -> v;
            case "M" -> v << 10;
            case "G" -> v << 20;
            default -> v >> 10;
        };
    }

    /** /proc/mounts writes space, tab, newline and backslash in paths as octal escapes. */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static OptionalLong meminfoValue(String meminfo, String key) {
        for (String l : meminfo.split("\n")) {
            if (l.startsWith(key + ":")) {
                String v = l.substring(key.length() + 1).strip();
                int sp = v.indexOf(' ');
                try {
                    return OptionalLong.of(Long.parseLong(sp < 0 ? v : v.substring(0, sp)));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    private static int procsRunning(String stat) {
        for (String l : stat.split("\n")) {
            if (l.startsWith("procs_running ")) {
                try {
                    return Integer.parseInt(l.substring(14).strip());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private static long number(Path f) {
        try {
            return Long.parseLong(readOr(f).strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String readOr(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException | RuntimeException e) {
            return ""; // no such /proc or /sys file on this kernel: plan without it
        }
    }
}
