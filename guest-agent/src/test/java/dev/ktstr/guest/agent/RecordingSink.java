package dev.ktstr.guest.agent;

import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameType;
import java.util.ArrayList;
import java.util.List;

/** Collects frames in memory. */
public final class RecordingSink implements FrameSink {
    public final List<Frame> frames = new ArrayList<>();

    @Override
    public synchronized void send(Frame frame) {
        frames.add(frame);
    }

    public synchronized List<Frame> of(FrameType t) {
        return frames.stream().filter(f -> f.type() == t).toList();
    }

    public synchronized List<String> logs() {
        return of(FrameType.LOG).stream().map(Frame::payloadText).toList();
    }
}
