package dev.ktstr.vmm.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QmpClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void parsesQueryCpusFast() throws Exception {
        String reply = "[{\"thread-id\": 2941, \"props\": {\"core-id\": 1, \"thread-id\": 0, \"socket-id\": 0}, \"qom-path\": \"/machine/unattached/device[2]\", \"cpu-index\": 1, \"target\": \"x86_64\"},"
                + "{\"thread-id\": 2940, \"props\": {\"core-id\": 0, \"thread-id\": 0, \"socket-id\": 0}, \"cpu-index\": 0, \"target\": \"x86_64\"}]";
        List<VcpuThread> cpus = QmpClient.parseCpus(JSON.readTree(reply));
        assertThat(cpus).containsExactly(new VcpuThread(0, 2940, 0, 0, 0), new VcpuThread(1, 2941, 0, 1, 0));
    }

    @Test
    void errorsCarryClassAndDescription() {
        assertThatThrownBy(() -> QmpClient.parseReply("frob", JSON.readTree("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command frob has not been found\"}}")))
                .isInstanceOf(QmpException.class).hasMessageContaining("CommandNotFound").hasMessageContaining("frob");
    }

    /** A fake QEMU monitor: greeting, capabilities, an interleaved event, then the reply. */
    @Test
    void talksTheProtocolAndSkipsEvents(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("qmp.sock");
        List<String> received = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread fake = new Thread(() -> {
                try (SocketChannel c = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                    OutputStream out = Channels.newOutputStream(c);
                    out.write("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n".getBytes(StandardCharsets.UTF_8));
                    received.add(in.readLine());
                    out.write("{\"return\": {}}\r\n".getBytes(StandardCharsets.UTF_8));
                    received.add(in.readLine());
                    out.write("{\"event\": \"RESUME\", \"timestamp\": {}}\r\n{\"return\": [{\"cpu-index\": 0, \"thread-id\": 77, \"props\": {}}]}\r\n"
                            .getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    received.add("fail: " + e);
                }
            });
            fake.start();
            try (QmpClient c = QmpClient.connect(sock, Duration.ofSeconds(5))) {
                assertThat(c.queryCpusFast()).containsExactly(new VcpuThread(0, 77, 0, 0, 0));
            }
            fake.join(5000);
        }
        assertThat(received).hasSize(2);
        assertThat(JSON.readTree(received.get(0)).get("execute").asText()).isEqualTo("qmp_capabilities");
        assertThat(JSON.readTree(received.get(1)).get("execute").asText()).isEqualTo("query-cpus-fast");
    }
}
