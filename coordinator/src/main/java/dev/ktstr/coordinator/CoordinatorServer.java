package dev.ktstr.coordinator;

import dev.ktstr.coordinator.run.Coordinator;
import dev.ktstr.worker.cluster.ClusterProtocol.CoordinatorMsg;
import dev.ktstr.worker.cluster.ClusterSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Cluster mode ({@code ktstr coordinator}): this JVM is the first node (it joins itself, so it is
 * the oldest and the split-brain resolver keeps its side); workers join it with
 * {@code ktstr worker --join HOST:PORT}.
 */
public final class CoordinatorServer {
    private CoordinatorServer() {
    }

    /** @param settings bind address, TLS and secret; its seeds are ignored (the coordinator seeds itself) */
    public static GauntletRun start(ClusterSettings settings) {
        ClusterSettings self = new ClusterSettings(settings.bindHost(), settings.bindPort(), java.util.List.of(),
                java.util.List.of("coordinator"), settings.tls(), settings.secret(), settings.joinTimeout(), settings.sbrStableAfter());
        CompletableFuture<ActorRef<CoordinatorMsg>> coordinator = new CompletableFuture<>();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.<Void>setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            coordinator.complete(ctx.spawn(Coordinator.create(settings.secret()), "coordinator"));
            return Behaviors.empty();
        }), ClusterSettings.SYSTEM_NAME, self.toConfig());
        PekkoGauntletRun.awaitUp(system, Duration.ofSeconds(30));
        return new PekkoGauntletRun(system, coordinator.join());
    }
}
