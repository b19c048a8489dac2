package dev.ktstr.worker.cluster;

import dev.ktstr.cluster.ClusterProtocol;
import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.cluster.ClusterProtocol.ArtifactChunk;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorMsg;
import dev.ktstr.cluster.ClusterProtocol.FetchChunk;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Pulls artifacts from the coordinator in {@link ClusterProtocol#CHUNK_BYTES} chunks, one
 * transfer per digest however many jobs wait for it, and commits them to the cache only after
 * the sha256 and size match what the job named.
 */
public final class ArtifactFetcher extends AbstractBehavior<ArtifactFetcher.Command> {

    public interface Command {
    }

    /** Reply {@code true} when the artifact is in the cache, else {@code error} says why. */
    public record Fetch(ArtifactRef ref, ActorRef<CoordinatorMsg> coordinator, ActorRef<Fetched> replyTo) implements Command {
    }

    public record Fetched(ArtifactRef ref, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private record GotChunk(ArtifactChunk chunk) implements Command {
    }

    private record ChunkTimeout(String sha256, long offset) implements Command {
    }

    private static final Duration CHUNK_TIMEOUT = Duration.ofSeconds(30);

    private final class Transfer {
        final ArtifactRef ref;
        final ActorRef<CoordinatorMsg> coordinator;
        final List<ActorRef<Fetched>> waiters = new ArrayList<>();
        final Path temp;
        final OutputStream out;
        final long startNanos = System.nanoTime();
        long offset;

        Transfer(ArtifactRef ref, ActorRef<CoordinatorMsg> coordinator) throws IOException {
            this.ref = ref;
            this.coordinator = coordinator;
            this.temp = cache.newTempFile(ref.sha256());
            this.out = Files.newOutputStream(temp);
        }
    }

    private final ArtifactCache cache;
    private final Consumer<String> events;
    private final ActorRef<ArtifactChunk> chunkAdapter;
    private final Map<String, Transfer> transfers = new HashMap<>();

    public static Behavior<Command> create(ArtifactCache cache) {
        return create(cache, null, "", null);
    }

    /** @param events receives one line per artifact fetched and verified, or failed; null = none */
    /** @param node this worker's node id and {@code secret} the cluster's: every chunk request is signed with them */
    public static Behavior<Command> create(ArtifactCache cache, Consumer<String> events, String node, String secret) {
        return Behaviors.setup(ctx -> new ArtifactFetcher(ctx, cache, events, node, secret));
    }

    private final String node;
    private final String secret;

    private ArtifactFetcher(ActorContext<Command> ctx, ArtifactCache cache, Consumer<String> events, String node, String secret) {
        super(ctx);
        this.node = node;
        this.secret = secret;
        this.cache = cache;
        this.events = events == null ? line -> { } : events;
        this.chunkAdapter = ctx.messageAdapter(ArtifactChunk.class, GotChunk::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Fetch.class, this::onFetch)
                .onMessage(GotChunk.class, this::onChunk)
                .onMessage(ChunkTimeout.class, this::onTimeout)
                .onSignal(org.apache.pekko.actor.typed.PostStop.class, s -> {
                    transfers.values().forEach(t -> abort(t, "worker stopping"));
                    return this;
                })
                .build();
    }

    private Behavior<Command> onFetch(Fetch f) {
        if (cache.contains(f.ref())) {
            f.replyTo().tell(new Fetched(f.ref(), null));
            return this;
        }
        Transfer t = transfers.get(f.ref().sha256());
        if (t == null) {
            try {
                t = new Transfer(f.ref(), f.coordinator());
            } catch (IOException e) {
                f.replyTo().tell(new Fetched(f.ref(), "cannot create a temp file in " + cache.root() + ": " + e.getMessage()));
                return this;
            }
            transfers.put(f.ref().sha256(), t);
            requestNext(t);
        }
        t.waiters.add(f.replyTo());
        return this;
    }

    private void requestNext(Transfer t) {
        t.coordinator.tell(new FetchChunk(t.ref.sha256(), t.offset, chunkAdapter, node,
                dev.ktstr.cluster.AuthToken.fetch(secret, node, t.ref.sha256(), t.offset)));
        getContext().scheduleOnce(CHUNK_TIMEOUT, getContext().getSelf(), new ChunkTimeout(t.ref.sha256(), t.offset));
    }

    private Behavior<Command> onChunk(GotChunk g) {
        ArtifactChunk c = g.chunk();
        Transfer t = transfers.get(c.sha256());
        if (t == null || c.offset() != t.offset) return this; // late duplicate after timeout/abort
        if (c.error() != null && !c.error().isEmpty()) {
            abort(t, "coordinator refused artifact " + t.ref.name() + ": " + c.error());
            return this;
        }
        if (c.totalSize() != t.ref.size() || t.offset + c.data().length > t.ref.size()) {
            abort(t, "artifact " + t.ref.name() + " is larger than the " + t.ref.size() + " bytes the job named");
            return this;
        }
        try {
            t.out.write(c.data());
            t.offset += c.data().length;
            if (!c.last()) {
                requestNext(t);
                return this;
            }
            t.out.close();
            cache.commit(t.ref, t.temp);
        } catch (IOException e) {
            abort(t, e.getMessage());
            return this;
        }
        transfers.remove(t.ref.sha256());
        events.accept(String.format(java.util.Locale.ROOT, "fetched %s %s (%d bytes) from the coordinator in %.1f s, sha256 %s verified",
                t.ref.role(), t.ref.name(), t.ref.size(), (System.nanoTime() - t.startNanos) / 1e9, t.ref.sha256()));
        t.waiters.forEach(w -> w.tell(new Fetched(t.ref, null)));
        return this;
    }

    private Behavior<Command> onTimeout(ChunkTimeout to) {
        Transfer t = transfers.get(to.sha256());
        if (t != null && t.offset == to.offset()) {
            abort(t, "no reply from the coordinator for artifact " + t.ref.name() + " within " + CHUNK_TIMEOUT.toSeconds() + " s");
        }
        return this;
    }

    private void abort(Transfer t, String why) {
        transfers.remove(t.ref.sha256());
        try {
            t.out.close();
            Files.deleteIfExists(t.temp);
        } catch (IOException e) {
            getContext().getLog().warn("cannot delete partial artifact {}: {}", t.temp, e.getMessage());
        }
        events.accept("fetching " + t.ref.role() + " " + t.ref.name() + " failed: " + why);
        t.waiters.forEach(w -> w.tell(new Fetched(t.ref, why)));
    }
}
