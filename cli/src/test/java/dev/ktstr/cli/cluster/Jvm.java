package dev.ktstr.cli.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child JVM running {@code ktstr <args>} from the test classpath, output to a log file. */
final class Jvm implements AutoCloseable {
    final String name;
    final Process process;
    final Path log;

    private Jvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static Jvm start(String name, Path logDir, String... args) throws IOException {
        return start(name, logDir, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), args);
    }

    /** @param jvmArgs heap, tmpdir and other JVM options (the default set is replaced) */
    static Jvm start(String name, Path logDir, List<String> jvmArgs, String... args) throws IOException {
        return startMain(name, logDir, jvmArgs, "dev.ktstr.cli.Main", args);
    }

    /** A child JVM running {@code mainClass} (a test-only node, e.g. {@link RogueNode}) from the test classpath. */
    static Jvm startMain(String name, Path logDir, List<String> jvmArgs, String mainClass, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", cp, mainClass));
        cmd.addAll(List.of(args));
        Path log = logDir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Jvm(name, p, log);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hooks, no goodbye to the cluster. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not exit within " + seconds + " s; log tail:\n" + tail());
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "<no log: " + e + ">";
        }
    }

    String tail() {
        String o = output();
        return o.length() > 4000 ? o.substring(o.length() - 4000) : o;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
