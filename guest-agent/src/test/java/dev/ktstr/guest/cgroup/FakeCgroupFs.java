package dev.ktstr.guest.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * cgroupfs imitation on a temp directory: cgroup.procs moves (a pid lives in one cgroup), rmdir
 * refuses populated or parent cgroups with EBUSY, subtree_control keeps a set, and faults can be
 * injected (EBUSY n times, ESRCH for dead pids, writes that block forever).
 */
final class FakeCgroupFs implements CgroupFs {
    final Path root;
    final Map<Path, Integer> busyWrites = new ConcurrentHashMap<>();
    final Set<Integer> deadPids = ConcurrentHashMap.newKeySet();
    final Set<Path> blockingWrites = ConcurrentHashMap.newKeySet();
    final List<String> writeLog = new ArrayList<>();

    FakeCgroupFs(Path root) throws IOException {
        this.root = root;
        populate(root);
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
    }

    private static void populate(Path dir) throws IOException {
        Files.writeString(dir.resolve("cgroup.procs"), "");
        Files.writeString(dir.resolve("cgroup.controllers"), "cpuset cpu memory pids\n");
        Files.writeString(dir.resolve("cgroup.subtree_control"), "");
        Files.writeString(dir.resolve("cpuset.cpus"), "");
        Files.writeString(dir.resolve("cpuset.mems"), "");
    }

    @Override
    public synchronized void write(Path file, String value) throws IOException {
        if (blockingWrites.contains(file)) {
            try {
                wait(); // never notified: a write wedged in the kernel
            } catch (InterruptedException e) {
                throw new IOException("interrupted");
            }
        }
        Integer busy = busyWrites.get(file);
        if (busy != null && busy > 0) {
            busyWrites.put(file, busy - 1);
            throw new IOException(file + ": Device or resource busy");
        }
        if (!Files.exists(file.getParent())) throw new IOException(file + ": No such file or directory");
        writeLog.add(root.relativize(file) + "=" + value.strip());
        String name = file.getFileName().toString();
        if (name.equals("cgroup.procs")) {
            int pid = Integer.parseInt(value.trim());
            if (deadPids.contains(pid)) throw new IOException(file + ": No such process");
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                    List<String> pids = new ArrayList<>(Files.readString(p).lines().filter(l -> !l.isBlank()).toList());
                    if (pids.remove(Integer.toString(pid))) Files.writeString(p, join(pids));
                }
            }
            List<String> pids = new ArrayList<>(Files.readString(file).lines().filter(l -> !l.isBlank()).toList());
            pids.add(Integer.toString(pid));
            Files.writeString(file, join(pids));
        } else if (name.equals("cgroup.subtree_control")) {
            Set<String> on = new LinkedHashSet<>(List.of(Files.readString(file).trim().split("\\s+")));
            on.remove("");
            for (String t : value.trim().split("\\s+")) {
                if (t.startsWith("+")) on.add(t.substring(1));
                else if (t.startsWith("-")) on.remove(t.substring(1));
                else throw new IOException(file + ": Invalid argument");
            }
            Files.writeString(file, String.join(" ", on) + "\n");
        } else {
            Files.writeString(file, value.strip() + "\n");
        }
    }

    private static String join(List<String> pids) {
        return pids.isEmpty() ? "" : String.join("\n", pids) + "\n";
    }

    @Override
    public String read(Path file) throws IOException {
        return Files.readString(file);
    }

    @Override
    public synchronized void mkdir(Path dir) throws IOException {
        Files.createDirectory(dir);
        populate(dir);
    }

    @Override
    public synchronized void rmdir(Path dir) throws IOException {
        if (!Files.readString(dir.resolve("cgroup.procs")).isBlank()) throw new IOException(dir + ": Device or resource busy");
        if (!childDirs(dir).isEmpty()) throw new IOException(dir + ": Device or resource busy");
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    @Override
    public boolean exists(Path p) {
        return Files.exists(p);
    }

    @Override
    public List<Path> childDirs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    List<String> procs(String rel) throws IOException {
        return Files.readString(root.resolve(rel).resolve("cgroup.procs")).lines().filter(l -> !l.isBlank()).toList();
    }
}
