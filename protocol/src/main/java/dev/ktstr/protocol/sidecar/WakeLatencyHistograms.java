package dev.ktstr.protocol.sidecar;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;

/**
 * The sidecar's wake-latency histogram encoding: base64 (RFC 4648, no line breaks) of the
 * HdrHistogram compressed encoding, values in nanoseconds.
 */
public final class WakeLatencyHistograms {
    /** 3 significant digits: 0.1 % value resolution, a few KiB compressed at most. */
    public static final int SIGNIFICANT_DIGITS = 3;

    private WakeLatencyHistograms() {}

    /** A histogram suitable for wake latencies in ns (auto-resizing, so no upper bound to guess). */
    public static Histogram newHistogram() {
        Histogram h = new Histogram(SIGNIFICANT_DIGITS);
        h.setAutoResize(true);
        return h;
    }

    public static String encode(AbstractHistogram histogram) {
        ByteBuffer buf = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int len = histogram.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[len];
        buf.flip();
        buf.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Decodes {@link #encode}'s output; the result auto-resizes so histograms of any range merge. */
    public static Histogram decode(String base64) throws SidecarFormatException {
        try {
            byte[] bytes = Base64.getDecoder().decode(base64);
            Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
            Histogram copy = newHistogram();
            copy.add(h);
            return copy;
        } catch (IllegalArgumentException | DataFormatException | java.nio.BufferUnderflowException e) {
            throw new SidecarFormatException("wake_latency_hdr is not a base64 HdrHistogram compressed encoding: "
                    + e.getMessage(), e);
        }
    }
}
