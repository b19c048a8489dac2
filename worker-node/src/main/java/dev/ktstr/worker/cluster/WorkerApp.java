package dev.ktstr.worker.cluster;

import dev.ktstr.cluster.ClusterSettings;
import dev.ktstr.cluster.ClusterProtocol;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.HostCapacity;
import dev.ktstr.worker.JobExecutor;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A stand-alone worker JVM's cluster node ({@code ktstr worker --join}). Non-Pekko callers use
 * {@link #start} and {@link #awaitExit}.
 */
public final class WorkerApp implements AutoCloseable {

    private final ActorSystem<ClusterProtocol.WorkerMsg> system;
    private final CompletableFuture<WorkerNode.Exit> exit = new CompletableFuture<>();
    private final String joinTarget;

    private WorkerApp(ClusterSettings settings, JobExecutor executor, ArtifactCache cache, int slots, Consumer<String> events) {
        this.joinTarget = String.join(",", settings.seeds());
        this.system = ActorSystem.create(Behaviors.<ClusterProtocol.WorkerMsg>setup(ctx -> {
            var addr = Cluster.get(ctx.getSystem()).selfMember().address();
            String nodeId = addr.host().getOrElse(() -> "local") + ":" + addr.port().getOrElse(() -> 0);
            Set<String> cachedKernels = Set.of(); // filled by the real executor's kernel cache later
            WorkerCapacity cap = HostCapacity.detect(nodeId, slots, executor.accelerator(), cachedKernels);
            return WorkerNode.create(cap, executor, cache, settings.secret(), exit::complete, events);
        }), ClusterSettings.SYSTEM_NAME, settings.toConfig());
        system.getWhenTerminated().thenRun(() -> exit.complete(exitWithoutWorkerVerdict()));
        exit.thenRun(system::terminate);
    }

    public static WorkerApp start(ClusterSettings settings, JobExecutor executor, ArtifactCache cache, int slots) {
        return start(settings, executor, cache, slots, null);
    }

    /** @param events one human-readable line per job assigned/finished and artifact fetched (null = none) */
    public static WorkerApp start(ClusterSettings settings, JobExecutor executor, ArtifactCache cache, int slots,
                                  Consumer<String> events) {
        if (settings.seeds().isEmpty()) {
            throw new IllegalArgumentException("a worker needs --join HOST:PORT of a running `ktstr coordinator`");
        }
        return new WorkerApp(settings, executor, cache, slots, events);
    }

    private WorkerNode.Exit exitWithoutWorkerVerdict() {
        Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(system).getShutdownReason();
        if (reason.isPresent() && reason.get().getClass().getSimpleName().contains("ClusterJoinUnsuccessful")) {
            return new WorkerNode.Exit(false, "could not join the coordinator at " + joinTarget
                    + " within the join timeout: is `ktstr coordinator` running there, and is the address reachable?");
        }
        return new WorkerNode.Exit(false, "worker node stopped" + reason.map(r -> " (" + r + ")").orElse(""));
    }

    public String address() {
        return system.address().toString();
    }

    /** Blocks until the worker stops; the exit says whether the coordinator closed the run on purpose. */
    public WorkerNode.Exit awaitExit() throws InterruptedException {
        try {
            WorkerNode.Exit e = exit.get();
            system.getWhenTerminated().toCompletableFuture().get();
            return e;
        } catch (ExecutionException e) {
            return new WorkerNode.Exit(false, String.valueOf(e.getCause()));
        }
    }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // terminated anyway
        }
    }
}
