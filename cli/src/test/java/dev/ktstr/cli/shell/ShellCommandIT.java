package dev.ktstr.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end {@code ktstr shell} runs of the packaged jar against a real kernel under QEMU. Needs
 * KTSTR_TEST_KERNEL (or a kernel the discovery chain finds); fails, never skips, without one.
 * Every test also checks that no QEMU process of its run is left behind.
 */
class ShellCommandIT {
    @TempDir
    Path dir;
    Path tmp;

    record Run(int exit, String stdout, String stderr) {}

    @BeforeEach
    void uniqueTmp() throws IOException {
        // The VM's run dir lives under java.io.tmpdir, so QEMU's argv names this unique directory.
        tmp = Files.createDirectories(dir.resolve("jvmtmp"));
    }

    @AfterEach
    void noQemuLeft() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!ours().isEmpty() && System.nanoTime() < deadline) Thread.sleep(100);
        List<ProcessHandle> left = ours();
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left).as("qemu-system processes left behind").isEmpty();
    }

    private List<ProcessHandle> ours() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("qemu-system") && c.contains(tmp.toString())).orElse(false))
                .toList();
    }

    static Path jar() throws Exception {
        Path classes = Path.of(ShellCommandIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = classes.getParent().resolve("ktstr.jar");
        if (!Files.isRegularFile(jar)) throw new AssertionError("packaged CLI " + jar + " is missing: run `mvn verify` (package runs first)");
        return jar;
    }

    /** --kernel from KTSTR_TEST_KERNEL when set; else the discovery chain must find one (or the test fails naming why). */
    static List<String> kernelArgs() {
        String k = System.getenv("KTSTR_TEST_KERNEL");
        return k == null || k.isBlank() ? List.of() : List.of("--kernel", k);
    }

    private ProcessBuilder ktstr(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Djava.io.tmpdir=" + tmp, "-jar", jar().toString()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }

    private Run run(String... args) throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = ktstr(List.of(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ktstr " + String.join(" ", args) + " did not finish in 600 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Run shellExec(String topology, String command, String... extra) throws Exception {
        List<String> a = new ArrayList<>(List.of("shell"));
        a.addAll(kernelArgs());
        a.addAll(List.of("--topology", topology));
        a.addAll(List.of(extra));
        a.addAll(List.of("--exec", command));
        return run(a.toArray(String[]::new));
    }

    @Test
    void execSeesTheTopologyAndSchedExtIsOff() throws Exception {
        Run r = shellExec("1,2,2,2", "nproc; cat /sys/devices/system/cpu/cpu0/cache/index3/shared_cpu_list; cat /sys/kernel/sched_ext/state");
        assertThat(r.exit()).as("exit status; stderr:\n" + r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("8\n0-3\ndisabled\n");
        assertThat(r.stderr()).contains("accelerator");
    }

    @Test
    void exitCodeAndStderrPassThrough() throws Exception {
        Run r = shellExec("1,1,1,1", "echo to-err >&2; exit 3");
        assertThat(r.exit()).as("stderr:\n" + r.stderr()).isEqualTo(3);
        assertThat(r.stderr()).contains("to-err");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void twoNumaNodesAreVisible() throws Exception {
        Run r = shellExec("2,4,1,1", "ls -d /sys/devices/system/node/node*; cat /sys/devices/system/node/node1/cpulist");
        assertThat(r.exit()).as("stderr:\n" + r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("/sys/devices/system/node/node0\n/sys/devices/system/node/node1\n2-3\n");
    }

    @Test
    void schedExtSchedulerAttachesFromAnIncludedBinary() throws Exception {
        Path scx = scxDir().resolve("scx_simple");
        if (!Files.isExecutable(scx)) throw new AssertionError("scx_simple not found at " + scx + ": set KTSTR_TEST_SCX_DIR");
        Run r = shellExec("1,1,2,1", "scx_simple >/dev/null & sleep 2; cat /sys/kernel/sched_ext/state", "-i", scx.toString());
        assertThat(r.exit()).as("stderr:\n" + r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("enabled\n");
    }

    static Path scxDir() {
        String d = System.getenv("KTSTR_TEST_SCX_DIR");
        if (d != null && !d.isBlank()) return Path.of(d);
        String k = System.getenv("KTSTR_TEST_KERNEL");
        if (k == null || k.isBlank()) throw new AssertionError("set KTSTR_TEST_SCX_DIR (directory with scx_simple) or KTSTR_TEST_KERNEL");
        Path kp = Path.of(k);
        return (Files.isDirectory(kp) ? kp : kp.getParent()).resolve("scx");
    }

    @Test
    void nonexistentKernelIsNamed() throws Exception {
        Run r = run("shell", "--kernel", "/nonexistent/vmlinux", "--exec", "true");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("/nonexistent/vmlinux");
    }

    @Test
    void interactiveWithoutATerminalSuggestsExec() throws Exception {
        List<String> a = new ArrayList<>(List.of("shell"));
        a.addAll(kernelArgs());
        Run r = run(a.toArray(String[]::new));
        assertThat(r.exit()).isEqualTo(ShellCommand.EXIT_USAGE);
        assertThat(r.stderr()).contains("terminal").contains("--exec");
    }

    @Test
    void badTopologyIsAUsageError() throws Exception {
        Run r = run("shell", "--topology", "2,3,1,1", "--exec", "true");
        assertThat(r.exit()).isEqualTo(ShellCommand.EXIT_USAGE);
        assertThat(r.stderr()).contains("multiple of numa nodes");
    }

    @Test
    void killNineOfTheJvmMidBootLeavesNoQemu() throws Exception {
        List<String> a = new ArrayList<>(List.of("shell"));
        a.addAll(kernelArgs());
        a.addAll(List.of("--topology", "1,1,2,1", "--exec", "sleep 100"));
        Process p = ktstr(a).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("k9.err").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (ours().isEmpty() && System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("ktstr exited before starting QEMU: " + Files.readString(dir.resolve("k9.err"))).isTrue();
            Thread.sleep(50);
        }
        assertThat(ours()).as("QEMU started").isNotEmpty();
        Thread.sleep(700); // mid-boot
        p.destroyForcibly(); // SIGKILL of the JVM: no shutdown hook runs
        p.waitFor();
        // @AfterEach asserts that the watchdog removed QEMU within 5 s.
    }
}
