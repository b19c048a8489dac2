package dev.ktstr.cli.cluster;

import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.FakeJobExecutor;
import dev.ktstr.worker.JobExecutor;
import dev.ktstr.worker.KtstrDirs;
import dev.ktstr.worker.cluster.ClusterSettings;
import dev.ktstr.worker.cluster.WorkerApp;
import dev.ktstr.worker.cluster.WorkerNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ktstr worker}: joins a coordinator and runs the VM jobs it hands out. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Join a coordinator and run jobs until it finishes its run.",
                "Exit status: 0 the coordinator finished, 3 the coordinator was lost or could not be reached, 2 usage error."})
public final class WorkerCommand implements Callable<Integer> {

    /** The real VM backend; set by the module that provides it (until then only --fake works). */
    public static volatile java.util.function.Function<ArtifactCache, JobExecutor> vmExecutor;

    @Option(names = "--join", required = true, paramLabel = "HOST:PORT", description = "the coordinator's --bind address")
    String join;

    @Option(names = "--bind", paramLabel = "HOST[:PORT]", defaultValue = "127.0.0.1:0",
            description = "this worker's cluster address (default ${DEFAULT-VALUE}: loopback, any free port)")
    String bind;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "0", description = "concurrent VMs (default: host CPUs / 2)")
    int slots;

    @Option(names = "--fake", description = "use the fake backend (sleeps, deterministic pass/fail) instead of VMs")
    boolean fake;

    @Option(names = "--fake-ms", paramLabel = "MS", defaultValue = "50", description = "fake job duration (default ${DEFAULT-VALUE})")
    long fakeMs;

    @Option(names = "--fake-fail-percent", paramLabel = "P", defaultValue = "10", description = "share of job ids that fake-fail")
    int fakeFailPercent;

    @Option(names = "--fake-exec-log", paramLabel = "FILE", hidden = true, description = "append each fake execution to FILE")
    Path fakeExecLog;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "ktstr cache root (default: KTSTR_CACHE_DIR or ~/.cache/ktstr)")
    Path cacheDir;

    @Option(names = "--join-timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "give up and exit when the coordinator cannot be joined within this time")
    int joinTimeoutSeconds;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() throws Exception {
        ClusterSettings settings;
        JobExecutor executor;
        ArtifactCache cache = new ArtifactCache(cacheDir == null ? KtstrDirs.cacheRoot() : cacheDir);
        try {
            ClusterSettings.HostPort target = ClusterSettings.parseHostPort("--join", join);
            ClusterSettings.HostPort me = ClusterSettings.parseHostPort("--bind", bind.contains(":") ? bind : bind + ":0");
            settings = cluster.settings(me.host(), me.port(), List.of(target.toString()), List.of("worker"),
                    Duration.ofSeconds(joinTimeoutSeconds));
            if (fake) {
                executor = new FakeJobExecutor(new FakeJobExecutor.Settings(fakeMs, fakeFailPercent, fakeExecLog), cache);
            } else if (vmExecutor != null) {
                executor = vmExecutor.apply(cache);
            } else {
                System.err.println("ktstr worker: the VM backend is not available in this build; run with --fake");
                return 2;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("ktstr worker: " + e.getMessage());
            return 2;
        }
        WorkerApp app = WorkerApp.start(settings, executor, cache, slots);
        System.err.println("ktstr worker: node " + app.address() + " joining " + join);
        WorkerNode.Exit exit = app.awaitExit();
        System.err.println("ktstr worker: " + exit.reason());
        return exit.clean() ? 0 : 3;
    }
}
