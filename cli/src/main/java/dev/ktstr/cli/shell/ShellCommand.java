package dev.ktstr.cli.shell;

import dev.ktstr.protocol.topology.InvalidTopologyException;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.vmm.initramfs.BuiltInitramfs;
import dev.ktstr.host.KtstrDirs;
import dev.ktstr.vmm.initramfs.IncludeSpec;
import dev.ktstr.vmm.initramfs.InitramfsBuilder;
import dev.ktstr.vmm.initramfs.InitramfsSpec;
import dev.ktstr.vmm.kernel.KernelDiscovery;
import dev.ktstr.vmm.kernel.KernelException;
import dev.ktstr.vmm.kernel.ResolvedKernel;
import dev.ktstr.vmm.qemu.AccelDecision;
import dev.ktstr.vmm.qemu.AccelMode;
import dev.ktstr.vmm.qemu.AcceleratorChooser;
import dev.ktstr.vmm.qemu.ConsoleMode;
import dev.ktstr.vmm.qemu.HostVirtFacts;
import dev.ktstr.vmm.qemu.PortChannel;
import dev.ktstr.vmm.qemu.QemuVm;
import dev.ktstr.vmm.qemu.VmExit;
import dev.ktstr.vmm.qemu.VmResult;
import dev.ktstr.vmm.qemu.VmSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ktstr shell}: boot a busybox VM with a topology, interactively or to run one command. */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"Boot a kernel in a busybox VM with the given CPU topology.",
                "Interactive by default (needs a terminal; exit the shell or press Ctrl-A X to stop).",
                "With --exec, run one command: its stdout, stderr and exit code become ktstr's."})
public final class ShellCommand implements Callable<Integer> {
    /** Exit status when the guest command's own status is unknown because the VM failed. */
    public static final int EXIT_VM_FAILED = 125;
    public static final int EXIT_TIMEOUT = 124;
    public static final int EXIT_USAGE = 2;
    static final String INIT_RESOURCE = "/dev/ktstr/guest/init.sh";
    static final String EXEC_CMD = "/ktstr/exec_cmd";

    @Option(names = "--kernel", paramLabel = "ID", description = "kernel: path, version, or cache key (default: discovery chain)")
    String kernel;

    @Option(names = "--topology", paramLabel = "N,L,C,T", defaultValue = "1,1,1,1",
            description = "NUMA nodes, LLCs (total), cores per LLC, threads per core (default: ${DEFAULT-VALUE})")
    String topology;

    @Option(names = {"-i", "--include-files"}, paramLabel = "PATH", description = "file or directory to place in /include-files (on PATH in the guest); repeatable")
    List<String> includes = new ArrayList<>();

    @Option(names = "--memory-mb", paramLabel = "MB", description = "guest RAM (default: estimated from CPUs and initramfs size)")
    Integer memoryMb;

    @Option(names = "--exec", paramLabel = "CMD", description = "run CMD with sh -c in the guest instead of an interactive shell")
    String exec;

    @Option(names = "--dmesg", description = "kernel log at loglevel 7, streamed live to stderr")
    boolean dmesg;

    @Option(names = "--accel", paramLabel = "kvm|tcg|auto", defaultValue = "auto", description = "accelerator (default: ${DEFAULT-VALUE})")
    String accel;

    @Option(names = "--timeout", paramLabel = "SECS", description = "host deadline for the VM (default: 600 with --exec, none interactively)")
    Integer timeoutSecs;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        try {
            return run(err);
        } catch (UsageError e) {
            err.println("ktstr shell: " + e.getMessage());
            return EXIT_USAGE;
        } catch (KernelException e) {
            err.println("ktstr shell: " + e.getMessage());
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println("ktstr shell: " + e.getMessage());
            return EXIT_VM_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("ktstr shell: interrupted");
            return 130;
        }
    }

    private int run(PrintStream err) throws IOException, InterruptedException {
        Topology topo;
        try {
            topo = Topology.parse(topology);
        } catch (InvalidTopologyException e) {
            throw new UsageError("--topology: " + e.getMessage());
        }
        boolean interactive = exec == null;
        if (interactive && System.console() == null) {
            throw new UsageError("interactive mode needs a terminal on stdin and stdout; to run a command without one use --exec 'CMD'");
        }
        if (timeoutSecs != null && timeoutSecs < 0) throw new UsageError("--timeout must be >= 0 (0 = no deadline)");
        List<Path> includePaths;
        try {
            includePaths = IncludeResolver.resolve(includes, Path.of("").toAbsolutePath(), System.getenv());
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        AccelMode mode;
        try {
            mode = AccelMode.parse(accel);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--accel: " + e.getMessage());
        }
        ResolvedKernel k = KernelDiscovery.resolveOnHost(Optional.ofNullable(kernel));
        AccelDecision decision;
        try {
            decision = new AcceleratorChooser(KtstrDirs.cacheRoot()).choose(mode, HostVirtFacts.probe());
        } catch (IllegalStateException e) {
            throw new UsageError(e.getMessage());
        }
        err.println("ktstr: accelerator " + decision.accel().label() + " (" + decision.reason() + ")");
        if (interactive || dmesg) err.println("ktstr: kernel " + k.describe());

        Map<String, byte[]> runFiles = new LinkedHashMap<>();
        if (!interactive) runFiles.put(EXEC_CMD, exec.getBytes(StandardCharsets.UTF_8));
        InitramfsSpec ispec = new InitramfsSpec(initScript(), true, Optional.empty(), List.of(),
                includePaths.stream().map(IncludeSpec::of).toList(), runFiles);
        BuiltInitramfs initrd = InitramfsBuilder.defaultCache().build(ispec);
        try {
            int mem = memoryMb != null ? memoryMb : MemoryEstimate.defaultMb(topo, Files.size(initrd.file()));
            if (memoryMb != null) MemoryEstimate.requireFits(memoryMb, Files.size(initrd.file()));
            VmSpec.Builder b = VmSpec.builder(k.bootImage(), initrd.file()).name("ktstr-shell").topology(topo).memoryMb(mem)
                    .accel(decision).verboseKernel(dmesg);
            int timeout = timeoutSecs != null ? timeoutSecs : (interactive ? 0 : 600);
            b.timeout(Duration.ofSeconds(timeout)).bootTimeout(VmSpec.suggestedBootTimeout(topo));
            VmSpec spec;
            try {
                spec = interactive ? interactiveSpec(b) : b.kernelArg("ktstr.mode=exec").port("ktstr.stdout").port("ktstr.stderr")
                        .console(ConsoleMode.LOG_FILE).echoConsole(dmesg).build();
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
            QemuVm.Outcome<Void> out = QemuVm.runRetryingOnce(spec, vm -> interactive ? waitInteractive(vm) : pumpExec(vm));
            return report(out.result(), err, interactive);
        } finally {
            Files.deleteIfExists(initrd.file());
        }
    }

    private VmSpec interactiveSpec(VmSpec.Builder b) {
        b.kernelArg("ktstr.mode=shell").console(ConsoleMode.TERMINAL);
        String term = System.getenv("TERM");
        if (term != null && term.matches("[A-Za-z0-9._+-]{1,64}")) b.kernelArg("ktstr.term=" + term);
        TerminalSize.query().ifPresent(s -> b.kernelArg("ktstr.cols=" + s.cols()).kernelArg("ktstr.rows=" + s.rows()));
        return b.build();
    }

    private static Void waitInteractive(QemuVm vm) throws InterruptedException {
        vm.awaitExit();
        return null;
    }

    /** Copies the guest command's output until QEMU exits and the sockets drain, then returns. */
    private static Void pumpExec(QemuVm vm) throws IOException, InterruptedException {
        PortChannel out = vm.port("ktstr.stdout");
        PortChannel errPort = vm.port("ktstr.stderr");
        Thread t1 = pump(out.in(), System.out, "guest-stdout");
        Thread t2 = pump(errPort.in(), System.err, "guest-stderr");
        vm.awaitExit();
        t1.join(10_000);
        t2.join(10_000);
        return null;
    }

    private static Thread pump(InputStream in, OutputStream dst, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (dst) {
                        dst.write(buf, 0, n);
                        dst.flush();
                    }
                }
            } catch (IOException e) {
                // channel closed at VM exit
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int report(VmResult r, PrintStream err, boolean interactive) {
        for (VmResult failed : r.retriedAfter()) {
            err.println("ktstr: boot attempt failed for an infrastructure reason (" + failed.exit().describe() + "); retried once");
        }
        VmExit exit = r.exit();
        if (exit instanceof VmExit.GuestPoweroff p && p.exitCode().isPresent()) return p.exitCode().getAsInt();
        if (interactive && exit instanceof VmExit.Stopped s && s.how().equals("Ctrl-A X")) return 0;
        err.println("ktstr shell: " + exit.describe() + " [accelerator " + r.accel().accel().label() + ", " + r.machine().name().toLowerCase() + "]");
        if (exit instanceof VmExit.KernelPanic p) {
            err.println(p.excerpt());
        } else if (!(exit instanceof VmExit.GuestPoweroff)) {
            err.println("--- last console lines ---");
            err.println(QemuTail.last(r.consoleTail(), 30));
        }
        return exit instanceof VmExit.Timeout ? EXIT_TIMEOUT : EXIT_VM_FAILED;
    }

    static byte[] initScript() throws IOException {
        try (InputStream in = ShellCommand.class.getResourceAsStream(INIT_RESOURCE)) {
            if (in == null) throw new IOException("guest init script " + INIT_RESOURCE + " is missing from the ktstr jar (guest-agent module); rebuild ktstr");
            return in.readAllBytes();
        }
    }

    /** A usage problem: printed without a stack trace, exit status 2. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    static final class QemuTail {
        private QemuTail() {}

        static String last(String text, int lines) {
            List<String> all = text.lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
    }

    /** The terminal size, from `stty size` on our terminal. */
    record TerminalSize(int rows, int cols) {
        static Optional<TerminalSize> query() {
            try {
                Process p = new ProcessBuilder("stty", "size").redirectInput(ProcessBuilder.Redirect.INHERIT)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) return Optional.empty();
                String[] parts = s.split("\\s+");
                return Optional.of(new TerminalSize(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }
}
