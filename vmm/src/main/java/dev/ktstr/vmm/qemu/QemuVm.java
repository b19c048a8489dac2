package dev.ktstr.vmm.qemu;

import dev.ktstr.host.OwnedTempFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One running QEMU. Start with {@link #start}, talk to the guest through {@link #port}, wait with
 * {@link #awaitExit}, and always {@link #close} (try-with-resources). No QEMU survives its owner:
 * close() kills it, a shutdown hook covers Ctrl-C and System.exit, and a watchdog process kills
 * it when this JVM dies by SIGKILL (see {@link QemuLaunch}).
 */
public final class QemuVm implements AutoCloseable {
    /** The run directory of each VM (sockets, console log) under java.io.tmpdir, named by {@link OwnedTempFiles}. */
    public static final String RUN_DIR_PREFIX = "ktstr-vm-";
    private static final Duration QUIT_GRACE = Duration.ofSeconds(3);
    /** After a crash line, wait this long for the kernel to finish its report and QEMU to exit. */
    private static final long CRASH_GRACE_MS = 3000;
    private static final int STDERR_CAP = 64 * 1024;

    private final VmSpec spec;
    private final Optional<String> ramFallbackReason;
    private final VmPaths paths;
    private final List<String> argv;
    private final Process process;
    private final long startNanos;
    private final Map<String, ServerSocketChannel> listeners = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<SocketChannel>> accepted = new LinkedHashMap<>();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread stderrPump;
    private final ConsoleTail console;
    private final Thread deadlineThread;
    private volatile boolean timedOut;
    private volatile boolean bootTimedOut;
    private volatile String stopReason;
    private volatile long exitNanos;
    private final Object qmpLock = new Object();
    private QmpClient qmp;
    private VmResult result;
    private boolean closed;

    private QemuVm(VmSpec spec, Optional<String> ramFallbackReason, VmPaths paths, List<String> argv, Process process, long startNanos,
                   Map<String, ServerSocketChannel> listeners) {
        this.spec = spec;
        this.ramFallbackReason = ramFallbackReason;
        this.paths = paths;
        this.argv = argv;
        this.process = process;
        this.startNanos = startNanos;
        this.listeners.putAll(listeners);
        listeners.forEach((name, l) -> {
            CompletableFuture<SocketChannel> f = new CompletableFuture<>();
            accepted.put(name, f);
            Thread t = new Thread(() -> {
                try {
                    f.complete(l.accept());
                } catch (IOException e) {
                    f.completeExceptionally(e);
                }
            }, spec.name() + "-accept-" + name);
            t.setDaemon(true);
            t.start();
        });
        this.stderrPump = new Thread(this::pumpStderr, spec.name() + "-qemu-stderr");
        stderrPump.setDaemon(true);
        stderrPump.start();
        this.console = new ConsoleTail(paths.consoleLog(), spec.echoConsole() ? System.err : null, process, startNanos, this::onCrashLine);
        console.start();
        if (!spec.timeout().isZero() || spec.bootTimeout().isPresent()) {
            deadlineThread = new Thread(this::deadline, spec.name() + "-deadline");
            deadlineThread.setDaemon(true);
            deadlineThread.start();
        } else {
            deadlineThread = null;
        }
    }

    /**
     * Boots a VM. The port sockets are listening before QEMU starts; QEMU connects to them while
     * it initialises, before the guest runs.
     */
    public static QemuVm start(VmSpec requested) throws IOException {
        requireReadable(requested.kernel(), "kernel image");
        requireReadable(requested.initrd(), "initramfs");
        Path runDir = OwnedTempFiles.createDirectory(RUN_DIR_PREFIX);
        Map<String, ServerSocketChannel> listeners = new LinkedHashMap<>();
        VmPaths paths = null;
        try {
            VmSpec spec = requested;
            Optional<String> fallback = Optional.empty();
            if (spec.ramBacking() instanceof RamBacking.Hugetlbfs h) {
                VmPaths huge = VmPaths.in(runDir, spec);
                try {
                    HugetlbReservation.reserve(ramFiles(spec, huge), ramFileSizes(spec));
                } catch (HugetlbReservation.Unavailable e) {
                    fallback = Optional.of(e.getMessage() + "; guest RAM falls back to " + h.fallback().kind()
                            + h.fallback().fileDir().map(d -> " in " + d).orElse(""));
                    spec = spec.toBuilder().ramBacking(h.fallback()).build();
                }
            }
            paths = VmPaths.in(runDir, spec);
            for (Map.Entry<String, Path> e : paths.portSockets().entrySet()) {
                ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                l.bind(UnixDomainSocketAddress.of(e.getValue()));
                listeners.put(e.getKey(), l);
            }
            long tsc = spec.tscKhz().orElseGet(TscFrequency::hostKhz);
            List<String> argv = QemuCommandBuilder.build(spec, paths, tsc);
            ProcessBuilder pb = new ProcessBuilder(QemuLaunch.wrap(argv));
            pb.environment().put(QemuLaunch.OWNER_ENV, Long.toString(ProcessHandle.current().pid()));
            pb.environment().put(QemuLaunch.RUN_DIR_ENV, runDir.toString());
            if (paths.memoryFile() != null) pb.environment().put(QemuLaunch.MEM_FILE_ENV, paths.memoryFile().toString());
            if (spec.console() == ConsoleMode.TERMINAL) {
                pb.redirectInput(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.INHERIT);
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            long t0 = System.nanoTime();
            Process p = pb.start();
            QemuVm vm = new QemuVm(spec, fallback, paths, argv, p, t0, listeners);
            LiveVms.add(vm);
            return vm;
        } catch (IOException | RuntimeException e) {
            for (ServerSocketChannel l : listeners.values()) l.close();
            deleteTree(runDir);
            if (paths != null) deleteMemoryFiles(paths); // reserved hugetlbfs files QEMU never got
            throw e;
        }
    }

    /** The RAM file of each guest NUMA node, as {@link QemuCommandBuilder} names them. */
    private static List<Path> ramFiles(VmSpec spec, VmPaths paths) {
        int nodes = spec.topology().numaNodes();
        if (nodes == 1) return List.of(paths.memoryFile());
        List<Path> l = new ArrayList<>();
        for (int i = 0; i < nodes; i++) l.add(Path.of(paths.memoryFile() + "." + i));
        return l;
    }

    private static List<Long> ramFileSizes(VmSpec spec) {
        List<Long> l = new ArrayList<>();
        for (int mb : QemuCommandBuilder.splitMemory(spec.memoryMb(), spec.topology().numaNodes())) l.add((long) mb << 20);
        return l;
    }

    private static void requireReadable(Path p, String what) throws IOException {
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new java.nio.file.NoSuchFileException(p.toString(), null, what + " does not exist or is not a readable file");
        }
    }

    /**
     * The spec this VM runs with: the requested one, except that a {@link RamBacking.Hugetlbfs}
     * whose pages could not be reserved is replaced by its fallback (see {@link #ramFallbackReason}).
     */
    public VmSpec spec() {
        return spec;
    }

    /** Why the requested hugetlbfs RAM was not used, when it was not. */
    public Optional<String> ramFallbackReason() {
        return ramFallbackReason;
    }

    public long pid() {
        return process.pid();
    }

    /** The exact QEMU argv (without the watchdog wrapper), for logs and bug reports. */
    public List<String> argv() {
        return argv;
    }

    public Path consoleLog() {
        return paths.consoleLog();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Console text seen so far. */
    public String consoleText() {
        return console.text();
    }

    /** Time from QEMU start until the guest's first console byte (firmware and kernel load under it). */
    public Optional<Duration> timeToConsole() {
        return console.firstOutputNanos().map(n -> Duration.ofNanos(n - startNanos));
    }

    /** Time from QEMU start until /init printed its start marker, once it has. */
    public Optional<Duration> timeToInit() {
        return console.initSeenNanos().map(n -> Duration.ofNanos(n - startNanos));
    }

    /**
     * The host end of a virtio-serial port named in {@link VmSpec#ports()}. Waits for QEMU to connect
     * (it does so while starting, before the guest runs).
     */
    public PortChannel port(String name) throws IOException {
        CompletableFuture<SocketChannel> f = accepted.get(name);
        if (f == null) throw new IllegalArgumentException("VM " + spec.name() + " has no port '" + name + "'; ports: " + spec.ports());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return new PortChannel(name, f.get(100, TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                if (!process.isAlive()) {
                    throw new IOException("QEMU exited before connecting port '" + name + "': " + stderrText().strip());
                }
                if (System.nanoTime() > deadline) throw new IOException("QEMU did not connect port '" + name + "' within 30 s");
            } catch (ExecutionException e) {
                throw new IOException("port '" + name + "' failed: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for port '" + name + "'");
            }
        }
    }

    /** The QMP connection (connected on first use). */
    public QmpClient qmp() throws IOException {
        synchronized (qmpLock) {
            if (qmp == null) qmp = QmpClient.connect(paths.qmpSocket(), Duration.ofSeconds(10));
            return qmp;
        }
    }

    /** Host thread id of each vCPU. */
    public List<VcpuThread> vcpuThreads() throws IOException {
        synchronized (qmpLock) {
            return qmp().queryCpusFast();
        }
    }

    /**
     * Stops the VM: QMP quit (QEMU flushes and exits), then SIGKILL after {@code grace}. The exit is
     * classified {@link VmExit.Stopped} with {@code reason} unless the guest already powered off.
     */
    public void stop(String reason, Duration grace) {
        if (!process.isAlive()) return;
        if (stopReason == null) stopReason = reason;
        try {
            synchronized (qmpLock) {
                QmpClient c = qmp != null ? qmp : QmpClient.connect(paths.qmpSocket(), Duration.ofMillis(500));
                qmp = c;
                c.quit();
            }
        } catch (IOException e) {
            process.destroy();
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until QEMU exits (the deadline, if any, still applies) and classifies the exit. */
    public synchronized VmResult awaitExit() throws InterruptedException {
        if (result != null) return result;
        int status = process.waitFor();
        exitNanos = exitNanos == 0 ? System.nanoTime() : exitNanos;
        console.finish();
        stderrPump.join(2000);
        if (spec.console() == ConsoleMode.TERMINAL && (status == 137 || status == 143)) {
            restoreTerminal(); // QEMU restores raw mode itself unless it was killed
        }
        String text = console.text();
        Duration limit = bootTimedOut ? spec.bootTimeout().get() : spec.timeout();
        VmExit exit = ExitClassifier.classify(status, text, stderrText(), timedOut, limit, Optional.ofNullable(stopReason));
        result = new VmResult(exit, spec.accel(), spec.effectiveMachine(), Duration.ofNanos(exitNanos - startNanos),
                timeToConsole(), timeToInit(), tail(text, VmResult.TAIL_LINES), List.of());
        return result;
    }

    /** Kills QEMU if still running, waits for it, and removes the VM's temp files. Idempotent. */
    @Override
    public void close() {
        // Stop before taking the monitor: another thread may be blocked in awaitExit() holding it.
        if (process.isAlive()) stop("closed by owner before the guest powered off", QUIT_GRACE);
        synchronized (this) {
            closeLocked();
        }
    }

    private void closeLocked() {
        if (closed) return;
        closed = true;
        try {
            try {
                awaitExit();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        } finally {
            synchronized (qmpLock) {
                try {
                    if (qmp != null) qmp.close();
                } catch (IOException ignored) {
                    // closing a dead monitor socket cannot fail in a way that matters
                }
            }
            for (CompletableFuture<SocketChannel> f : accepted.values()) {
                f.cancel(false);
                if (f.isDone() && !f.isCompletedExceptionally() && !f.isCancelled()) {
                    try {
                        f.join().close();
                    } catch (IOException ignored) {
                        // already closed by the reader
                    }
                }
            }
            for (ServerSocketChannel l : listeners.values()) {
                try {
                    l.close();
                } catch (IOException ignored) {
                    // nothing to release beyond the fd
                }
            }
            if (deadlineThread != null) deadlineThread.interrupt();
            deleteTree(paths.runDir());
            deleteMemoryFiles(paths);
            LiveVms.remove(this);
        }
    }

    /** Removes the RAM file and its per-node siblings (a hugetlbfs file holds its pages until then). */
    private static void deleteMemoryFiles(VmPaths paths) {
        if (paths.memoryFile() == null) return;
        try (Stream<Path> s = Files.list(paths.memoryFile().getParent())) {
            String prefix = paths.memoryFile().getFileName().toString();
            for (Path p : s.filter(x -> x.getFileName().toString().startsWith(prefix)).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort; the owner removes the whole RAM directory afterwards
        }
    }

    /** Shutdown-hook path: no QMP, no waiting beyond a moment. */
    void killNow() {
        process.destroyForcibly();
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (spec.console() == ConsoleMode.TERMINAL) restoreTerminal();
        deleteTree(paths.runDir());
        deleteMemoryFiles(paths); // tmpfs and hugetlbfs files outlive the process otherwise
    }

    private void deadline() {
        try {
            if (spec.bootTimeout().isPresent()) {
                long bootEnd = startNanos + spec.bootTimeout().get().toNanos();
                while (console.initSeenNanos().isEmpty() && process.isAlive()) {
                    long left = bootEnd - System.nanoTime();
                    if (left <= 0) {
                        bootTimedOut = true;
                        timedOut = true;
                        exitNanos = System.nanoTime();
                        stop("guest /init did not start within " + spec.bootTimeout().get().toSeconds() + " s", QUIT_GRACE);
                        return;
                    }
                    process.waitFor(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 100), TimeUnit.MILLISECONDS);
                }
            }
            if (spec.timeout().isZero()) return;
            long left = startNanos + spec.timeout().toNanos() - System.nanoTime();
            if (left > 0 && process.waitFor(TimeUnit.NANOSECONDS.toMillis(left) + 1, TimeUnit.MILLISECONDS)) return;
            if (!process.isAlive()) return;
        } catch (InterruptedException e) {
            return;
        }
        timedOut = true;
        exitNanos = System.nanoTime();
        stop("deadline of " + spec.timeout().toSeconds() + " s reached", QUIT_GRACE);
    }

    private void onCrashLine() {
        // With oops=panic and panic=-1 QEMU exits by itself; this covers a crash that wedges instead.
        Thread t = new Thread(() -> {
            try {
                if (!process.waitFor(CRASH_GRACE_MS, TimeUnit.MILLISECONDS)) {
                    stop("kernel crash on the console; the guest did not exit", Duration.ofSeconds(1));
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, spec.name() + "-crash-reaper");
        t.setDaemon(true);
        t.start();
    }

    private void pumpStderr() {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getErrorStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (stderr) {
                    if (stderr.size() < STDERR_CAP) stderr.write(buf, 0, Math.min(n, STDERR_CAP - stderr.size()));
                }
                if (spec.console() == ConsoleMode.TERMINAL) {
                    System.err.write(buf, 0, n);
                    System.err.flush();
                }
            }
        } catch (IOException e) {
            // QEMU gone; what was read is kept
        }
    }

    private String stderrText() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static void restoreTerminal() {
        try {
            new ProcessBuilder("stty", "sane").redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no stty: the user can type `reset`
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove VM temp dir " + dir, e);
        }
    }

    /** Follows the console log file as QEMU appends to it. */
    static final class ConsoleTail {
        private static final int TEXT_CAP = 16 << 20;
        private final Path file;
        private final java.io.PrintStream echo;
        private final Process process;
        private final Runnable onCrash;
        private final StringBuilder text = new StringBuilder();
        private final Thread thread;
        private volatile boolean finishing;
        private volatile long initSeen;
        private volatile long firstOutput;
        private boolean crashSeen;
        private int scanFrom;

        ConsoleTail(Path file, java.io.PrintStream echo, Process process, long startNanos, Runnable onCrash) {
            this.file = file;
            this.echo = echo;
            this.process = process;
            this.onCrash = onCrash;
            this.thread = new Thread(this::run, "console-tail");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        Optional<Long> firstOutputNanos() {
            return firstOutput == 0 ? Optional.empty() : Optional.of(firstOutput);
        }

        Optional<Long> initSeenNanos() {
            return initSeen == 0 ? Optional.empty() : Optional.of(initSeen);
        }

        synchronized String text() {
            return text.toString();
        }

        void finish() throws InterruptedException {
            finishing = true;
            thread.join(5000);
        }

        private void run() {
            byte[] buf = new byte[65536];
            long pos = 0;
            try {
                while (true) {
                    boolean last = finishing || !process.isAlive();
                    if (Files.exists(file)) {
                        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                            raf.seek(pos);
                            int n;
                            while ((n = raf.read(buf)) > 0) {
                                pos += n;
                                append(new String(buf, 0, n, StandardCharsets.UTF_8), n, buf);
                            }
                        }
                    }
                    if (last) return;
                    Thread.sleep(20);
                }
            } catch (IOException | InterruptedException e) {
                // the file vanished with the run dir or we were told to stop
            }
        }

        private void append(String chunk, int n, byte[] raw) {
            if (firstOutput == 0 && n > 0) firstOutput = System.nanoTime();
            if (echo != null) {
                echo.write(raw, 0, n);
                echo.flush();
            }
            boolean crash = false;
            synchronized (this) {
                if (text.length() > TEXT_CAP) {
                    int cut = text.length() - TEXT_CAP / 2;
                    text.delete(0, cut);
                    scanFrom = Math.max(0, scanFrom - cut);
                }
                text.append(chunk);
                int lastNl = text.lastIndexOf("\n");
                if (lastNl >= scanFrom) {
                    String fresh = text.substring(Math.max(0, scanFrom - 1), lastNl + 1);
                    scanFrom = lastNl + 1;
                    if (initSeen == 0 && fresh.contains(QemuCommandBuilder.INIT_MARKER)) initSeen = System.nanoTime();
                    if (!crashSeen && ExitClassifier.crash(fresh).isPresent()) {
                        crashSeen = true;
                        crash = true;
                    }
                }
            }
            if (crash) onCrash.run();
        }
    }

    /**
     * Boots {@code spec}, runs {@code session} while the VM runs, waits for the exit, and boots once
     * more if the first attempt failed for an infrastructure reason (early-boot oops, hang before
     * /init). The earlier attempt is kept in {@link VmResult#retriedAfter()}.
     */
    public static <T> Outcome<T> runRetryingOnce(VmSpec spec, Session<T> session) throws IOException, InterruptedException {
        List<VmResult> failed = new ArrayList<>();
        while (true) {
            T value;
            VmResult r;
            try (QemuVm vm = start(spec)) {
                value = session.run(vm);
                r = vm.awaitExit();
            }
            if (r.exit().infrastructureFailure() && failed.isEmpty()) {
                failed.add(r);
                continue;
            }
            return new Outcome<>(r.withRetried(failed), value);
        }
    }

    /** Work done against a running VM; called once per boot attempt. */
    @FunctionalInterface
    public interface Session<T> {
        T run(QemuVm vm) throws IOException, InterruptedException;
    }

    public record Outcome<T>(VmResult result, T value) {}
}
