package dev.ktstr.vmm.kernel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What an interrupted build (Ctrl-C, SIGTERM) must not leave behind: running compilers and half-built
 * directories. One shutdown hook kills the registered process trees first, then deletes the registered
 * directories. Anything a SIGKILL leaves is swept by {@link KernelCache#sweepLeftovers()} on the next build.
 */
final class ExitCleanup {
    private ExitCleanup() {}

    private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> DIRS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::run, "ktstr-kernel-cleanup"));
    }

    static void register(Process p) {
        PROCESSES.add(p);
    }

    static void unregister(Process p) {
        PROCESSES.remove(p);
    }

    static void register(Path dir) {
        DIRS.add(dir);
    }

    static void unregister(Path dir) {
        DIRS.remove(dir);
    }

    private static void run() {
        for (Process p : PROCESSES) killTree(p);
        for (Process p : PROCESSES) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort: the JVM is exiting
            }
        }
        for (Path d : DIRS) {
            try {
                KernelCache.deleteTree(d);
            } catch (IOException | RuntimeException e) {
                System.err.println("ktstr: could not remove " + d + " (" + e.getMessage() + "); the next build sweeps it");
            }
        }
    }

    static void killTree(Process p) {
        if (!p.isAlive()) return;
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }
}
