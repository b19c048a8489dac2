package dev.ktstr.vmm.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A QEMU Machine Protocol client over a unix socket: JSON objects, one per line. Asynchronous
 * events arriving between a command and its reply are skipped. Not thread-safe; callers serialise.
 */
public final class QmpClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private QmpClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects (retrying while QEMU creates the socket), reads the greeting, negotiates capabilities. */
    public static QmpClient connect(Path socket, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        IOException last = null;
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                QmpClient c = new QmpClient(ch);
                JsonNode greeting = c.readMessage();
                if (!greeting.has("QMP")) throw new QmpException("unexpected QMP greeting: " + greeting);
                c.execute("qmp_capabilities", Map.of());
                return c;
            } catch (IOException e) {
                ch.close();
                last = e;
                if (System.nanoTime() > deadline) {
                    throw new QmpException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new QmpException("interrupted while connecting to QMP", last);
                }
            }
        }
    }

    /** Runs a command and returns its {@code return} value. */
    public JsonNode execute(String command, Map<String, ?> arguments) throws IOException {
        ObjectNode req = JSON.createObjectNode();
        req.put("execute", command);
        if (!arguments.isEmpty()) req.set("arguments", JSON.valueToTree(arguments));
        out.write(JSON.writeValueAsBytes(req));
        out.write('\n');
        out.flush();
        while (true) {
            JsonNode msg = readMessage();
            if (msg.has("event")) continue;
            return parseReply(command, msg);
        }
    }

    static JsonNode parseReply(String command, JsonNode msg) throws QmpException {
        if (msg.has("return")) return msg.get("return");
        if (msg.has("error")) {
            JsonNode e = msg.get("error");
            throw new QmpException("QMP " + command + " failed: " + e.path("class").asText("?") + ": " + e.path("desc").asText(""));
        }
        throw new QmpException("QMP " + command + ": unexpected reply " + msg);
    }

    /** Host thread id of every vCPU, ordered by cpu index. */
    public List<VcpuThread> queryCpusFast() throws IOException {
        return parseCpus(execute("query-cpus-fast", Map.of()));
    }

    static List<VcpuThread> parseCpus(JsonNode ret) throws QmpException {
        if (!ret.isArray()) throw new QmpException("query-cpus-fast: expected an array, got " + ret);
        List<VcpuThread> cpus = new ArrayList<>();
        for (JsonNode c : ret) {
            JsonNode props = c.path("props");
            cpus.add(new VcpuThread(c.path("cpu-index").asInt(-1), c.path("thread-id").asLong(-1),
                    props.path("socket-id").asInt(0), props.path("core-id").asInt(0), props.path("thread-id").asInt(0)));
        }
        cpus.sort(java.util.Comparator.comparingInt(VcpuThread::cpuIndex));
        return List.copyOf(cpus);
    }

    /** Asks QEMU to exit now (it flushes its chardevs); the connection closes with it. */
    public void quit() throws IOException {
        try {
            execute("quit", Map.of());
        } catch (QmpException e) {
            if (!e.getMessage().contains("closed")) throw e;
        }
    }

    private JsonNode readMessage() throws IOException {
        String line = in.readLine();
        if (line == null) throw new QmpException("QMP connection closed");
        return JSON.readTree(line);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
