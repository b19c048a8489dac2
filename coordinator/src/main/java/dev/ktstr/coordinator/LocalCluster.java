package dev.ktstr.coordinator;

import dev.ktstr.coordinator.run.Coordinator;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.HostCapacity;
import dev.ktstr.worker.JobExecutor;
import dev.ktstr.worker.cluster.ClusterProtocol.CoordinatorMsg;
import dev.ktstr.worker.cluster.ClusterSettings;
import dev.ktstr.worker.cluster.WorkerNode;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Local mode: coordinator and one worker in this JVM, a one-node cluster on 127.0.0.1 with an
 * OS-chosen port (the default of {@code ktstr test} and the JUnit engine). Same actors as the
 * distributed mode.
 */
public final class LocalCluster {
    private LocalCluster() {
    }

    /**
     * @param slots concurrent VMs on this host; 0 = one per two host CPUs
     * @param capacityOverride adjusts the detected capacity (tests; a user's --memory cap); identity if unused
     */
    public record Config(JobExecutor executor, ArtifactCache cache, int slots, UnaryOperator<WorkerCapacity> capacityOverride) {
        public Config {
            if (executor == null) throw new IllegalArgumentException("local mode needs a JobExecutor");
            if (cache == null) cache = ArtifactCache.defaultCache();
            if (capacityOverride == null) capacityOverride = UnaryOperator.identity();
        }

        public static Config of(JobExecutor executor, int slots) {
            return new Config(executor, null, slots, null);
        }
    }

    public static GauntletRun start(JobExecutor executor, int slots) {
        return start(Config.of(executor, slots));
    }

    public static GauntletRun start(Config cfg) {
        ClusterSettings settings = ClusterSettings.loopback(0, List.of(), List.of("coordinator", "worker"));
        CompletableFuture<ActorRef<CoordinatorMsg>> coordinator = new CompletableFuture<>();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.<Void>setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            coordinator.complete(ctx.spawn(Coordinator.create(null), "coordinator"));
            var a = cluster.selfMember().address();
            String nodeId = "local@" + a.host().getOrElse(() -> "127.0.0.1") + ":" + a.port().getOrElse(() -> 0);
            WorkerCapacity cap = cfg.capacityOverride().apply(
                    HostCapacity.detect(nodeId, cfg.slots(), cfg.executor().accelerator(), Set.of()));
            ctx.spawn(WorkerNode.create(cap, cfg.executor(), cfg.cache(), null, exit -> { }), "worker");
            return Behaviors.empty();
        }), ClusterSettings.SYSTEM_NAME, settings.toConfig());
        PekkoGauntletRun.awaitUp(system, Duration.ofSeconds(30));
        return new PekkoGauntletRun(system, coordinator.join());
    }
}
