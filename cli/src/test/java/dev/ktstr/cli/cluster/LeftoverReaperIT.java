package dev.ktstr.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.cli.cluster.fixture.ClusterSmokeFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code ktstr test} JVM killed with its whole process group mid-VM (as systemd or a cgroup kill
 * does: QEMU's watchdog dies too) leaves its VM run dir, job dir and /dev/shm guest RAM; the next
 * local-mode start removes them, and kills a QEMU that outlived its owner and watchdog. Each child
 * runs under {@code setsid}, so its pid is its process group. Needs a kernel like {@link ClusterRealVmIT}.
 */
class LeftoverReaperIT {
    private static final Path SHM = Path.of("/dev/shm");
    private static final long BOOT_DEADLINE_S = 600;

    @TempDir
    Path tmp;
    /** Session leaders this test started (pid = process group = owner): killed, their /dev/shm entries removed, whatever happens. */
    private final List<Process> leaders = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : leaders) {
            // only while the leader lives is the group surely still ours; after that, what names it as owner
            if (p.isAlive()) new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            qemuOf(p.pid()).forEach(ProcessHandle::destroyForcibly);
            for (Path d : owned(SHM, "ktstr-ram-", p.pid())) deleteTree(d);
        }
    }

    @Test
    void aKilledProcessGroupsLeftoversGoAtTheNextStart() throws Exception {
        Path jvmTmp = Files.createDirectories(tmp.resolve("jvmtmp"));
        long owner = startRun(jvmTmp, "victim");
        List<Path> left = awaitVmRunning(owner, jvmTmp, "victim");

        killGroup(owner);
        assertThat(left).as("entries of the killed run remain").allSatisfy(p -> assertThat(p).exists());
        assertThat(qemuOf(owner)).as("QEMU died with its group").isEmpty();

        String log = restart(jvmTmp);
        assertThat(log).containsPattern("reaped [0-9]+ leftovers of dead ktstr processes: .*ktstr-vm-" + owner + "-");
        assertThat(left).as("entries of the killed run after the restart").allSatisfy(p -> assertThat(p).doesNotExist());
        assertThat(owned(jvmTmp, "ktstr-", owner)).isEmpty();
        assertThat(owned(SHM, "ktstr-ram-", owner)).isEmpty();
    }

    @Test
    void aQemuThatOutlivedItsOwnerAndWatchdogIsKilledAtTheNextStart() throws Exception {
        Path jvmTmp = Files.createDirectories(tmp.resolve("jvmtmp"));
        long owner = startRun(jvmTmp, "victim");
        List<Path> left = awaitVmRunning(owner, jvmTmp, "victim");
        List<ProcessHandle> qemu = qemuOf(owner).stream().filter(p -> p.info().command().orElse("").contains("qemu-system")).toList();
        assertThat(qemu).hasSize(1);

        // everything of the group but QEMU itself: the watchdog that would kill QEMU first, then the JVM
        for (long pid : groupMembers(owner)) {
            if (pid != qemu.get(0).pid() && pid != owner) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        ProcessHandle.of(owner).ifPresent(ProcessHandle::destroyForcibly);
        await(() -> ProcessHandle.of(owner).isEmpty() && groupMembers(owner).size() == 1, 30, "the group down to its QEMU");
        assertThat(qemu.get(0).isAlive()).as("QEMU outlived its owner").isTrue();

        String log = restart(jvmTmp);
        assertThat(log).contains("killed QEMU of a dead owner: pid [" + qemu.get(0).pid() + "]");
        await(() -> !qemu.get(0).isAlive(), 10, "QEMU gone");
        assertThat(left).allSatisfy(p -> assertThat(p).doesNotExist());
        assertThat(qemuOf(owner)).isEmpty();
    }

    /** {@code ktstr test} of one 1-vCPU EEVDF test, in a session of its own; returns its pid (= its process group). */
    private long startRun(Path jvmTmp, String name) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setsid"));
        cmd.addAll(ktstr(jvmTmp));
        cmd.addAll(List.of("test", fixtureClassDir().toString(), "-E", "cluster_eevdf_one_cpu"));
        cmd.addAll(ClusterRealVmIT.kernelArgs());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
        leaders.add(p);
        // setsid execs in place when its caller is no group leader, which a fresh child never is
        await(() -> pgrp(p.pid()).orElse(-1L) == p.pid() && p.info().command().orElse("").endsWith("java"), 30,
                "the child JVM leading its own process group");
        return p.pid();
    }

    /** The reaper path: local mode starting again in the same tmpdir ({@code --list} boots nothing). Returns its output. */
    private String restart(Path jvmTmp) throws Exception {
        List<String> cmd = new ArrayList<>(ktstr(jvmTmp));
        cmd.addAll(List.of("test", fixtureClassDir().toString(), "-E", "cluster_eevdf_one_cpu", "--list"));
        cmd.addAll(ClusterRealVmIT.kernelArgs());
        Path log = tmp.resolve("restart.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("restart did not finish in 300 s:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        assertThat(p.exitValue()).as("restart exit status; output:\n%s", out).isZero();
        out.lines().filter(l -> l.contains("reaped")).forEach(l -> System.out.println("restart: " + l));
        return out;
    }

    private List<String> ktstr(Path jvmTmp) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-Xmx384m",
                "-Djava.io.tmpdir=" + jvmTmp, "-cp", cp, "dev.ktstr.cli.Main");
    }

    /** Waits until the run's VM is up: QEMU running for it and its run dir, job dir and guest RAM dir present. */
    private List<Path> awaitVmRunning(long owner, Path jvmTmp, String name) throws Exception {
        List<Path> found = new ArrayList<>();
        await(() -> {
            if (ProcessHandle.of(owner).isEmpty()) {
                throw new AssertionError(name + " exited before its VM ran:\n" + read(tmp.resolve(name + ".log")));
            }
            found.clear();
            found.addAll(owned(jvmTmp, "ktstr-vm-", owner));
            found.addAll(owned(jvmTmp, "ktstr-job-", owner));
            found.addAll(owned(SHM, "ktstr-ram-", owner));
            return found.size() == 3 && !qemuOf(owner).isEmpty();
        }, BOOT_DEADLINE_S, "run dir, job dir, /dev/shm RAM dir and QEMU of " + name);
        return List.copyOf(found);
    }

    private void killGroup(long g) throws Exception {
        assertThat(new ProcessBuilder("kill", "-KILL", "--", "-" + g).start().waitFor()).isZero();
        await(() -> groupMembers(g).isEmpty(), 30, "process group " + g + " gone");
    }

    /** Entries named {@code <prefix>...<owner>-<start>-...} by OwnedTempFiles for this owner pid. */
    private static List<Path> owned(Path dir, String prefix, long owner) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(prefix) + "([a-z]+-)?" + owner + "-[0-9]+-.+"))
                    .toList();
        }
    }

    /** Processes (QEMU and its watchdog) whose environment names {@code owner} as their ktstr owner. */
    private static List<ProcessHandle> qemuOf(long owner) {
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                String env = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ")), StandardCharsets.UTF_8);
                return Stream.of(env.split("\0")).anyMatch(kv -> kv.equals("KTSTR_OWNER_PID=" + owner));
            } catch (IOException e) {
                return false;
            }
        }).toList();
    }

    /** Live members: a killed watchdog stays a zombie, since QEMU (its parent after the exec) never waits for it. */
    private static List<Long> groupMembers(long pgid) {
        return ProcessHandle.allProcesses().map(ProcessHandle::pid)
                .filter(pid -> pgrp(pid).orElse(-1L) == pgid && !stat(pid).map(f -> f[0].equals("Z")).orElse(true)).toList();
    }

    /** Field 5 of /proc/<pid>/stat. */
    private static Optional<Long> pgrp(long pid) {
        return stat(pid).map(f -> Long.parseLong(f[2]));
    }

    /** The fields of /proc/<pid>/stat from field 3 (state) on, counted after the command's closing parenthesis. */
    private static Optional<String[]> stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return Optional.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Path fixtureClassDir() throws Exception {
        return SmokeFixtureDir.in(tmp);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check c, long seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!c.ok()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            Thread.sleep(200);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> w = Files.walk(p)) {
            for (Path f : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }
}
