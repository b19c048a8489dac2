package dev.ktstr.coordinator;

import dev.ktstr.cluster.ClusterProtocol.CoordinatorMsg;
import dev.ktstr.cluster.ClusterSettings;
import dev.ktstr.coordinator.run.Coordinator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A coordinator node: this JVM is the first node (it joins itself, so it is the oldest and the
 * split-brain resolver keeps its side). In cluster mode ({@code ktstr coordinator}) workers join
 * it with {@code ktstr worker --join HOST:PORT}; local mode adds its worker as a {@link Colocated}
 * actor of the same system.
 */
public final class CoordinatorServer {
    private CoordinatorServer() {
    }

    /** Other actors to start on the coordinator's node (local mode's worker), after the coordinator. */
    @FunctionalInterface
    public interface Colocated {
        void spawn(ActorContext<Void> ctx);

        Colocated NONE = ctx -> { };
    }

    /** @param settings bind address, TLS and secret; its seeds are ignored (the coordinator seeds itself) */
    public static GauntletRun start(ClusterSettings settings) {
        return start(new ClusterSettings(settings.bindHost(), settings.bindPort(), List.of(),
                List.of("coordinator"), settings.tls(), settings.secret(), settings.joinTimeout(), settings.sbrStableAfter()),
                Colocated.NONE);
    }

    /** @param settings used as given (roles included); the node joins itself */
    public static GauntletRun start(ClusterSettings settings, Colocated colocated) {
        CompletableFuture<ActorRef<CoordinatorMsg>> coordinator = new CompletableFuture<>();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.<Void>setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            coordinator.complete(ctx.spawn(Coordinator.create(settings.secret()), "coordinator"));
            colocated.spawn(ctx);
            return Behaviors.empty();
        }), ClusterSettings.SYSTEM_NAME, settings.toConfig());
        PekkoGauntletRun.awaitUp(system, Duration.ofSeconds(30));
        return new PekkoGauntletRun(system, coordinator.join());
    }
}
