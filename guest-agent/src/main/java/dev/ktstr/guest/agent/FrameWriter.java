package dev.ktstr.guest.agent;

import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Serialises frames from every agent thread onto the data port through one writer thread, so a
 * slow host (virtio-serial backpressure) never blocks the scenario thread and frames never
 * interleave. {@link #close} drains what is queued, bounded by a deadline.
 */
public final class FrameWriter implements FrameSink, AutoCloseable {
    private static final Frame POISON = new Frame(dev.ktstr.protocol.frame.FrameType.LOG, new byte[0]);
    private final BlockingQueue<Frame> queue = new LinkedBlockingQueue<>();
    private final OutputStream out;
    private final Thread thread;
    private final Consumer<String> onError;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;
    private volatile IOException failure;

    public FrameWriter(OutputStream out, Consumer<String> onError) {
        this.out = out;
        this.onError = onError;
        this.thread = new Thread(this::drain, "frame-writer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void send(Frame frame) {
        if (closed || failure != null) {
            dropped.incrementAndGet();
            onError.accept("frame " + frame.type() + " dropped: channel " + (closed ? "closed" : "failed: " + failure.getMessage()));
            return;
        }
        queue.add(frame);
    }

    private void drain() {
        try {
            while (true) {
                Frame f = queue.take();
                if (f == POISON) break;
                try {
                    FrameCodec.write(out, f);
                    sent.incrementAndGet();
                } catch (IOException e) {
                    failure = e;
                    dropped.addAndGet(1 + queue.size());
                    onError.accept("writing to the host channel failed: " + e.getMessage());
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public long sent() {
        return sent.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Flushes queued frames, waiting at most {@code deadline}. Returns true when all went out. */
    public boolean close(Duration deadline) {
        if (closed) return true;
        closed = true;
        queue.add(POISON);
        try {
            thread.join(deadline.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean done = !thread.isAlive() && failure == null;
        if (thread.isAlive()) onError.accept("host channel did not drain within " + deadline.toMillis() + " ms; " + queue.size() + " frames left");
        try {
            out.flush();
        } catch (IOException ignored) {
            // reported above if it matters
        }
        return done;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
