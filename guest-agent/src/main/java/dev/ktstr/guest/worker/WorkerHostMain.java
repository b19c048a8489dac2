package dev.ktstr.guest.worker;

import dev.ktstr.guest.sys.LibC;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker host: one JVM that runs a spawn group's workers as threads ({@link WorkerThread}).
 * It starts, warms up everything a worker needs before READY (libc binding, JSON, histograms,
 * MXBeans), says {@code KTSTR-HOST}, then waits for its launch on stdin — so the agent can start
 * hosts ahead of time and hand them work when the scenario spawns. Protocol: {@link HostProtocol}.
 *
 * <p>Why threads: on Linux a worker's comm, affinity, scheduling policy and priority, nice value,
 * memory policy, CPU clock and schedstat are all per thread, so a thread keeps every property the
 * checks read, while a JVM start per worker costs seconds under emulation. The host process is
 * placed in the cgroup (cgroup.procs moves all its threads) before any worker is released, so the
 * first loop instruction still runs inside the cgroup.
 */
public final class WorkerHostMain {
    private WorkerHostMain() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        int code;
        try {
            code = run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), new HostOutput(out));
        } catch (Throwable t) {
            out.println(HostProtocol.FAILED + "-1 " + WorkerThread.oneLine(t));
            code = 3;
        }
        out.flush();
        System.exit(code);
    }

    /** Loads and initialises what every worker needs (also the AOT training run's worker half). */
    public static String warm() {
        long t0 = System.nanoTime();
        LibC.require();
        long libc = (System.nanoTime() - t0) / 1_000_000;
        return "libc=" + libc + "," + WorkerThread.warmUp();
    }

    static int run(BufferedReader control, HostOutput out) throws Exception {
        long atMain = ManagementFactory.getRuntimeMXBean().getUptime();
        String steps = warm();
        int pid = LibC.getpid();
        out.line(HostProtocol.HOST + pid + " " + ManagementFactory.getRuntimeMXBean().getUptime() + " " + atMain + " " + steps);
        String launchPath = control.readLine();
        if (launchPath == null || launchPath.isBlank()) return 0; // an unused pre-started host
        HostLaunch launch = HostCodec.decode(java.nio.file.Files.readAllBytes(Path.of(launchPath.trim())), HostLaunch.class);
        MappedByteBuffer counters = null;
        if (launch.counterFile() != null) {
            try (RandomAccessFile f = new RandomAccessFile(launch.counterFile(), "rw")) {
                counters = f.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, f.length());
            }
        }
        // Back from the warm-up nice (WorkerCommand) before any worker thread exists: threads inherit it.
        if (LibC.setpriority(LibC.PRIO_PROCESS, 0, 0) != 0) {
            out.line(HostProtocol.FAILED + "-1 cannot return to nice 0 after the warm-up: errno " + LibC.errno());
        }
        List<WorkerThread> workers = new ArrayList<>();
        for (int i = 0; i < launch.workers().size(); i++) {
            WorkerThread w = new WorkerThread(i, launch.workers().get(i), pid, counters, out);
            workers.add(w);
        }
        workers.forEach(WorkerThread::start);
        Thread finisher = new Thread(() -> {
            for (WorkerThread w : workers) w.joinQuietly();
            out.flush();
            // every report is out: nothing else in this JVM matters (the stdin reader may still block)
            Runtime.getRuntime().halt(0);
        }, "host-finisher");
        finisher.setDaemon(true);
        finisher.start();
        try {
            for (String line; (line = control.readLine()) != null; ) {
                if (line.length() < 3) continue;
                int idx = Integer.parseInt(line.substring(2).trim());
                if (idx < 0 || idx >= workers.size()) continue;
                if (line.charAt(0) == HostProtocol.RELEASE) workers.get(idx).release();
                else if (line.charAt(0) == HostProtocol.STOP) workers.get(idx).stop();
            }
        } catch (IOException | NumberFormatException ignored) {
            // a broken control pipe means the agent is gone: stop as well
        }
        for (WorkerThread w : workers) w.stop();
        finisher.join();
        return 0;
    }

    /** Protocol lines out of the host: one lock, so lines of different workers never interleave. */
    static final class HostOutput {
        private final PrintStream out;

        HostOutput(PrintStream out) {
            this.out = out;
        }

        synchronized void line(String s) {
            out.println(s);
            out.flush();
        }

        synchronized void flush() {
            out.flush();
        }
    }
}
