package dev.ktstr.worker.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameCodec;
import dev.ktstr.protocol.frame.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything the guest agent sent during one boot, read from the untrusted data channel. JSON
 * payloads are kept as trees: the host never binds guest output to classes with behaviour, and a
 * malformed payload becomes a recorded problem instead of an exception.
 */
final class GuestSession {
    static final int MAX_LOG_LINES = 2_000;
    static final int MAX_PROBLEMS = 50;

    private final ObjectMapper json;
    private final long startNanos = System.nanoTime();

    JsonNode hello;
    long helloAtMs = -1;
    JsonNode result;
    long resultAtMs = -1;
    JsonNode exit;
    long exitAtMs = -1;
    JsonNode schedExit;
    JsonNode phases;
    final List<JsonNode> watchdog = new ArrayList<>();
    String crash;
    long scenarioStartAtMs = -1;
    long scenarioEndAtMs = -1;
    final List<JsonNode> workerReports = new ArrayList<>();
    final List<JsonNode> stimuli = new ArrayList<>();
    final List<String> logs = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    int droppedLogs;

    GuestSession(ObjectMapper json) {
        this.json = json;
    }

    /** Reads frames until the guest closes the channel (power-off) or the VM is stopped. */
    void readAll(InputStream in, Consumer<String> liveLog) {
        FrameCodec.Reader reader = new FrameCodec.Reader(in, (off, p) -> problem("data channel offset " + off + ": " + p));
        try {
            for (Frame f; (f = reader.next()) != null; ) {
                accept(f, liveLog);
            }
        } catch (IOException e) {
            // QEMU closing the socket mid-read is how a killed VM looks from here.
            problem("data channel closed: " + e.getMessage());
        }
    }

    private void accept(Frame f, Consumer<String> liveLog) {
        long at = (System.nanoTime() - startNanos) / 1_000_000;
        switch (f.type()) {
            case HELLO -> { hello = parse(f); helloAtMs = at; }
            case LOG -> {
                String line = Sanitize.line(f.payloadText());
                if (logs.size() < MAX_LOG_LINES) logs.add(line); else droppedLogs++;
                if (liveLog != null) liveLog.accept(line);
            }
            case WORKER_REPORT -> add(workerReports, f);
            case STIMULUS -> add(stimuli, f);
            case RESULT -> { JsonNode n = parse(f); if (n != null) { result = n; resultAtMs = at; } }
            case EXIT -> { exit = parse(f); exitAtMs = at; }
            case SCHED_EXIT -> schedExit = parse(f);
            case CRASH -> crash = Sanitize.block(f.payloadText(), 200);
            case SCENARIO_START -> { if (scenarioStartAtMs < 0) scenarioStartAtMs = at; }
            case SCENARIO_END -> scenarioEndAtMs = at;
            case PHASES -> phases = parse(f);
            case WATCHDOG -> { if (watchdog.size() < MAX_PROBLEMS) add(watchdog, f); }
            default -> problem("unexpected " + f.type() + " frame from the guest");
        }
    }

    private void add(List<JsonNode> list, Frame f) {
        JsonNode n = parse(f);
        if (n != null) list.add(n);
    }

    private JsonNode parse(Frame f) {
        try {
            return json.readTree(f.payload());
        } catch (IOException e) {
            problem("malformed JSON in " + f.type() + " frame (" + f.payload().length + " bytes): " + e.getMessage());
            return null;
        }
    }

    private void problem(String p) {
        if (problems.size() < MAX_PROBLEMS) problems.add(Sanitize.line(p));
    }
}
