package dev.ktstr.cli.cluster;

import dev.ktstr.vmm.qemu.AccelDecision;
import dev.ktstr.vmm.qemu.AccelMode;
import dev.ktstr.vmm.qemu.AcceleratorChooser;
import dev.ktstr.vmm.qemu.HostVirtFacts;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.FakeJobExecutor;
import dev.ktstr.worker.JobExecutor;
import dev.ktstr.host.KtstrDirs;
import dev.ktstr.cluster.ClusterSettings;
import dev.ktstr.worker.cluster.WorkerApp;
import dev.ktstr.worker.cluster.WorkerNode;
import dev.ktstr.worker.vm.VmJobExecutor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ktstr worker}: joins a coordinator and runs the VM jobs it hands out. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Join a coordinator (`ktstr coordinator`) and run its jobs, each in its own",
                "QEMU VM, until it finishes its run. The worker advertises its capacity (CPUs,",
                "LLCs, NUMA nodes, memory, accelerator, slots) and pulls jobs that fit. It",
                "fetches each job's artifacts (test jars, kernel image, System.map/BTF,",
                "scheduler binaries) from the coordinator by sha256, verifies and caches them",
                "in CACHE_DIR/artifacts/sha256/, and prints a line per job and artifact.",
                "Exit status: 0 the coordinator finished, 3 the coordinator was lost or could",
                "not be reached, 2 usage error."})
public final class WorkerCommand implements Callable<Integer> {

    @Option(names = "--join", required = true, paramLabel = "HOST:PORT", description = "The coordinator's --bind address.")
    String join;

    @Option(names = "--bind", paramLabel = "HOST[:PORT]", defaultValue = "127.0.0.1:0",
            description = "This worker's cluster address (default ${DEFAULT-VALUE}: loopback, any free port).")
    String bind;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "0", description = "Concurrent VMs (default: host CPUs / 2).")
    int slots;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "ktstr cache root: fetched artifacts, guest JRE, initramfs cache (default: KTSTR_CACHE_DIR or ~/.cache/ktstr).")
    Path cacheDir;

    @Option(names = "--accel", paramLabel = "kvm|tcg|auto", defaultValue = "auto",
            description = "Accelerator (auto: KVM only where it can boot a guest). Default: ${DEFAULT-VALUE}.")
    String accel;

    @Option(names = "--no-perf-mode", description = "Turn performance mode off (also KTSTR_NO_PERF_MODE): tests that require it are skipped.")
    boolean noPerfMode;

    @Option(names = "--guest-log", description = "Print the guest agents' log lines live.")
    boolean guestLog;

    @Option(names = "--join-timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "Give up and exit when the coordinator cannot be joined within this time (default ${DEFAULT-VALUE}).")
    int joinTimeoutSeconds;

    @Option(names = "--fake", description = "Use the fake backend (sleeps, deterministic pass/fail) instead of VMs.")
    boolean fake;

    @Option(names = "--fake-ms", paramLabel = "MS", defaultValue = "50", description = "Fake job duration (default ${DEFAULT-VALUE}).")
    long fakeMs;

    @Option(names = "--fake-fail-percent", paramLabel = "P", defaultValue = "10", description = "Share of job ids that fake-fail.")
    int fakeFailPercent;

    @Option(names = "--fake-result-bytes", paramLabel = "N", defaultValue = "0", hidden = true,
            description = "each fake result carries a guest log of N bytes (to test results of any size)")
    int fakeResultBytes;

    @Option(names = "--fake-exec-log", paramLabel = "FILE", hidden = true, description = "append each fake execution to FILE")
    Path fakeExecLog;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws Exception {
        ClusterSettings settings;
        JobExecutor executor;
        Path root = cacheDir == null ? KtstrDirs.cacheRoot() : cacheDir.toAbsolutePath();
        ArtifactCache cache = new ArtifactCache(root);
        try {
            ClusterSettings.HostPort target = ClusterSettings.parseHostPort("--join", join);
            ClusterSettings.HostPort me = ClusterSettings.parseHostPort("--bind", bind.contains(":") ? bind : bind + ":0");
            settings = cluster.settings(me.host(), me.port(), List.of(target.toString()), List.of("worker"),
                    Duration.ofSeconds(joinTimeoutSeconds));
            if (fake) {
                executor = new FakeJobExecutor(new FakeJobExecutor.Settings(fakeMs, fakeFailPercent, fakeExecLog, fakeResultBytes), cache);
            } else {
                executor = vmExecutor(cache, root);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("ktstr worker: " + e.getMessage());
            return 2;
        }
        WorkerApp app = WorkerApp.start(settings, executor, cache, slots, line -> System.err.println("ktstr worker: " + line));
        System.err.println("ktstr worker: node " + app.address() + " joining " + join + ", cache " + root);
        WorkerNode.Exit exit = app.awaitExit();
        System.err.println("ktstr worker: " + exit.reason());
        return exit.clean() ? 0 : 3;
    }

    /** The real backend: QEMU VMs built from artifacts and runtime caches under {@code root}. */
    private JobExecutor vmExecutor(ArtifactCache cache, Path root) {
        if (noPerfMode) System.setProperty(VmJobExecutor.NO_PERF_MODE_PROPERTY, "true");
        AccelDecision decision = new AcceleratorChooser(root).choose(AccelMode.parse(accel), HostVirtFacts.probe());
        System.err.println("ktstr worker: accelerator " + decision.accel().name().toLowerCase(Locale.ROOT) + " (" + decision.reason() + ")");
        VmJobExecutor.reapLeftovers(line -> System.err.println("ktstr worker: " + line));
        return new VmJobExecutor(cache, root, decision, guestLog ? line -> System.err.println("  guest: " + line) : null);
    }
}
