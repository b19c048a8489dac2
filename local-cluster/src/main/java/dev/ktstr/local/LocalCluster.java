package dev.ktstr.local;

import dev.ktstr.cluster.AuthToken;
import dev.ktstr.cluster.ClusterSettings;
import dev.ktstr.coordinator.CoordinatorServer;
import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.HostCapacity;
import dev.ktstr.worker.JobExecutor;
import dev.ktstr.worker.cluster.WorkerNode;
import org.apache.pekko.cluster.typed.Cluster;

import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Local mode: coordinator and one worker in this JVM, a one-node cluster on 127.0.0.1 with an
 * OS-chosen port (the default of {@code ktstr test} and the JUnit engine). Same actors as the
 * distributed mode; this is the only place both roles are wired together (like Flink's MiniCluster).
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
        // a random secret per run: the loopback port is open to every local user, the run's messages are not
        String secret = AuthToken.randomSecret();
        ClusterSettings settings = ClusterSettings.loopback(0, List.of(), List.of("coordinator", "worker")).withSecret(secret);
        return CoordinatorServer.start(settings, ctx -> {
            var a = Cluster.get(ctx.getSystem()).selfMember().address();
            String nodeId = "local@" + a.host().getOrElse(() -> "127.0.0.1") + ":" + a.port().getOrElse(() -> 0);
            WorkerCapacity cap = cfg.capacityOverride().apply(
                    HostCapacity.detect(nodeId, cfg.slots(), cfg.executor().accelerator(), Set.of()));
            ctx.spawn(WorkerNode.create(cap, cfg.executor(), cfg.cache(), secret, exit -> { }), "worker");
        });
    }
}
