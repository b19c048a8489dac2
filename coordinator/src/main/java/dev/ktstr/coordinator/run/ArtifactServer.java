package dev.ktstr.coordinator.run;

import dev.ktstr.cluster.ClusterProtocol;
import dev.ktstr.cluster.ClusterProtocol.ArtifactChunk;
import dev.ktstr.cluster.ClusterProtocol.FetchChunk;
import dev.ktstr.coordinator.ArtifactStore;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * Serves artifact bytes to workers in {@link ClusterProtocol#CHUNK_BYTES} chunks (Flink's
 * BlobServer): a child of the {@link Coordinator}, which forwards each {@link FetchChunk} here, so
 * file reads never hold up scheduling and results. Only the current run's files are served; the
 * coordinator offers them when the run starts and withdraws them when it ends, and because both
 * those and the forwarded fetches come from the coordinator they arrive in order.
 */
public final class ArtifactServer {
    private ArtifactServer() {
    }

    public sealed interface Command permits Offer, Serve {
    }

    /** The files of the run now in progress; {@code null} = no run, refuse every fetch. */
    public record Offer(ArtifactStore store) implements Command {
    }

    public record Serve(FetchChunk fetch) implements Command {
    }

    public static Behavior<Command> create() {
        return serving(null);
    }

    private static Behavior<Command> serving(ArtifactStore store) {
        return Behaviors.receive(Command.class)
                .onMessage(Offer.class, o -> serving(o.store()))
                .onMessage(Serve.class, s -> {
                    serve(store, s.fetch());
                    return Behaviors.same();
                })
                .build();
    }

    static void serve(ArtifactStore store, FetchChunk f) {
        Optional<Path> file = store == null ? Optional.empty() : store.find(f.sha256());
        if (file.isEmpty()) {
            f.replyTo().tell(new ArtifactChunk(f.sha256(), f.offset(), new byte[0], 0, true,
                    "artifact " + f.sha256() + " is not offered by the current run"));
            return;
        }
        try (FileChannel ch = FileChannel.open(file.get(), StandardOpenOption.READ)) {
            long total = ch.size();
            if (f.offset() < 0 || f.offset() > total) throw new IOException("offset " + f.offset() + " outside 0.." + total);
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ClusterProtocol.CHUNK_BYTES, total - f.offset()));
            while (buf.hasRemaining()) {
                if (ch.read(buf, f.offset() + buf.position()) < 0) break;
            }
            byte[] data = Arrays.copyOf(buf.array(), buf.position());
            f.replyTo().tell(new ArtifactChunk(f.sha256(), f.offset(), data, total, f.offset() + data.length >= total, ""));
        } catch (IOException e) {
            f.replyTo().tell(new ArtifactChunk(f.sha256(), f.offset(), new byte[0], 0, true, "read failed: " + e.getMessage()));
        }
    }
}
