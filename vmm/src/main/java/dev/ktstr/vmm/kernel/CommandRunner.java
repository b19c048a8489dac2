package dev.ktstr.vmm.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs build commands with stdout+stderr appended to a log file, each line offered to a listener, and the last
 * lines kept for error messages. Every child (and its descendants: make forks compilers) is killed if the JVM
 * exits, so an interrupted build leaves no compiler running.
 */
final class CommandRunner {

    static final int TAIL_LINES = 40;
    record Result(int exitCode, List<String> tail) {
        String tailText() {
            return String.join("\n", tail);
        }
    }

    private CommandRunner() {}

    static Result run(List<String> command, Path dir, Map<String, String> extraEnv, Path log, Consumer<String> onLine) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(extraEnv);
        Deque<String> tail = new ArrayDeque<>();
        Process p;
        try (Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write("$ (cd " + dir + " && " + String.join(" ", command) + ")\n");
            w.flush();
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new KernelException("cannot run " + command.get(0) + ": " + e.getMessage()
                        + " (is it installed? `ops/setup.sh` installs the kernel build tools)", e);
            }
            ExitCleanup.register(p);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.write(line);
                    w.write('\n');
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) tail.removeFirst();
                    if (onLine != null) onLine.accept(line);
                }
                w.flush();
                int rc = p.waitFor();
                w.write("[exit " + rc + "]\n");
                return new Result(rc, new ArrayList<>(tail));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KernelException("interrupted while running " + String.join(" ", command), e);
            } finally {
                killTree(p);
                ExitCleanup.unregister(p);
            }
        } catch (IOException e) {
            throw new KernelException("I/O error running " + String.join(" ", command) + " (log " + log + "): " + e.getMessage(), e);
        }
    }

    /** Runs a short command and returns its stdout (stderr discarded), or null when it fails. */
    static String capture(List<String> command, Path dir, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            ExitCleanup.register(p);
            try {
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                killTree(p);
                ExitCleanup.unregister(p);
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static void killTree(Process p) {
        ExitCleanup.killTree(p);
    }
}
