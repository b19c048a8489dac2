package dev.ktstr.coordinator.run;

import dev.ktstr.cluster.ClusterProtocol;
import dev.ktstr.cluster.ClusterProtocol.ArtifactChunk;
import dev.ktstr.cluster.ClusterProtocol.FetchChunk;
import dev.ktstr.coordinator.ArtifactStore;
import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.ArtifactRole;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ArtifactServerTest {
    static final ActorTestKit kit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void servesOnlyTheOfferedRunsFilesChunkByChunk(@TempDir Path tmp) throws Exception {
        byte[] data = new byte[ClusterProtocol.CHUNK_BYTES * 2 + 1000];
        new Random(3).nextBytes(data);
        Path blob = tmp.resolve("sched");
        Files.write(blob, data);
        ArtifactStore store = new ArtifactStore();
        ArtifactRef ref = store.add(blob, ArtifactRole.SCHEDULER);
        ActorRef<ArtifactServer.Command> server = kit.spawn(ArtifactServer.create());
        TestProbe<ArtifactChunk> probe = kit.createTestProbe();

        server.tell(new ArtifactServer.Serve(new FetchChunk(ref.sha256(), 0, probe.getRef(), "w", "")));
        assertThat(probe.receiveMessage().error()).contains("not offered by the current run");

        server.tell(new ArtifactServer.Offer(store));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ArtifactChunk c;
        int chunks = 0;
        do {
            server.tell(new ArtifactServer.Serve(new FetchChunk(ref.sha256(), got.size(), probe.getRef(), "w", "")));
            c = probe.receiveMessage();
            assertThat(c.error()).isEmpty();
            assertThat(c.totalSize()).isEqualTo(data.length);
            got.write(c.data());
            chunks++;
        } while (!c.last());
        assertThat(chunks).isEqualTo(3);
        assertThat(got.toByteArray()).isEqualTo(data);

        server.tell(new ArtifactServer.Serve(new FetchChunk(ref.sha256(), data.length + 1, probe.getRef(), "w", "")));
        assertThat(probe.receiveMessage().error()).contains("outside 0..");

        server.tell(new ArtifactServer.Offer(null));
        server.tell(new ArtifactServer.Serve(new FetchChunk(ref.sha256(), 0, probe.getRef(), "w", "")));
        assertThat(probe.receiveMessage().error()).contains("not offered by the current run");
    }
}
