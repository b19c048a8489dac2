package dev.ktstr.guest.agent;

import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameType;
import java.nio.charset.StandardCharsets;

/** Where the agent's frames go. Thread-safe: any thread may send. */
public interface FrameSink {
    void send(Frame frame);

    default void text(FrameType type, String text) {
        send(new Frame(type, text.getBytes(StandardCharsets.UTF_8)));
    }

    default void json(FrameType type, Object value) {
        send(new Frame(type, AgentJson.bytes(value)));
    }

    default void log(String line) {
        text(FrameType.LOG, line);
    }
}
