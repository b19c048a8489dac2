package dev.ktstr.protocol.frame;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Wire format of the guest agent channel, big-endian:
 * <pre>
 *   magic   u32  'KTSF'
 *   version u8   1
 *   type    u8   {@link FrameType#code()}
 *   flags   u16  0
 *   length  u32  payload bytes, at most {@link #MAX_PAYLOAD}
 *   crc32   u32  CRC-32 over type byte and payload
 *   payload
 * </pre>
 * The host treats every byte from the guest as untrusted: a bad header or checksum is reported
 * with its stream offset and the reader resynchronises on the next magic.
 */
public final class FrameCodec {
    public static final int MAGIC = 0x4B545346; // "KTSF"
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 16;
    public static final int MAX_PAYLOAD = 64 << 20;

    private FrameCodec() {}

    public static byte[] encode(Frame frame) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + frame.payload().length);
        b.putInt(MAGIC).put((byte) VERSION).put((byte) frame.type().code()).putShort((short) 0)
                .putInt(frame.payload().length).putInt((int) crc(frame.type().code(), frame.payload()))
                .put(frame.payload());
        return b.array();
    }

    /** Writes one frame and flushes; callers sharing a stream must serialise writes. */
    public static void write(OutputStream out, Frame frame) throws IOException {
        out.write(encode(frame));
        out.flush();
    }

    static long crc(int type, byte[] payload) {
        CRC32 c = new CRC32();
        c.update(type);
        c.update(payload, 0, payload.length);
        return c.getValue();
    }

    /** Reads frames from a stream, skipping corrupt data and reporting it to a listener. */
    public static final class Reader {
        private final InputStream in;
        private final CorruptionListener listener;
        private long offset;
        private long skippedBytes;

        public Reader(InputStream in, CorruptionListener listener) {
            this.in = in;
            this.listener = listener;
        }

        /** The next valid frame, or {@code null} at a clean end of stream. */
        public Frame next() throws IOException {
            while (true) {
                long start = offset;
                if (!syncToMagic()) return null;
                byte[] rest = new byte[HEADER_BYTES - 4];
                if (!readFully(rest)) {
                    report(start, "stream ended inside a frame header");
                    return null;
                }
                ByteBuffer h = ByteBuffer.wrap(rest);
                int version = h.get() & 0xff;
                int typeCode = h.get() & 0xff;
                h.getShort();
                long length = h.getInt() & 0xffffffffL;
                int crc = h.getInt();
                FrameType type = FrameType.ofCode(typeCode);
                if (version != VERSION) {
                    report(offset - HEADER_BYTES, "unsupported frame version " + version + " (expected " + VERSION + ")");
                    continue;
                }
                if (type == null) {
                    report(offset - HEADER_BYTES, "unknown frame type " + typeCode);
                    continue;
                }
                if (length > MAX_PAYLOAD) {
                    report(offset - HEADER_BYTES, "frame length " + length + " exceeds " + MAX_PAYLOAD);
                    continue;
                }
                byte[] payload = new byte[(int) length];
                if (!readFully(payload)) {
                    report(offset - HEADER_BYTES, "stream ended inside a " + type + " frame of " + length + " bytes");
                    return null;
                }
                if ((int) crc(typeCode, payload) != crc) {
                    report(offset - HEADER_BYTES - length, "checksum mismatch in " + type + " frame of " + length + " bytes");
                    continue;
                }
                return new Frame(type, payload);
            }
        }

        /** Bytes discarded so far while looking for a frame boundary. */
        public long skippedBytes() {
            return skippedBytes;
        }

        private boolean syncToMagic() throws IOException {
            int window = 0;
            int have = 0;
            long garbageStart = offset;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    long garbage = offset - garbageStart;
                    if (garbage > 0) {
                        skippedBytes += garbage;
                        report(garbageStart, garbage + " bytes of non-frame data before end of stream");
                    }
                    return false;
                }
                offset++;
                window = (window << 8) | b;
                have++;
                if (have >= 4 && window == MAGIC) {
                    long garbage = offset - 4 - garbageStart;
                    if (garbage > 0) {
                        skippedBytes += garbage;
                        report(garbageStart, garbage + " bytes of non-frame data skipped");
                    }
                    return true;
                }
            }
        }

        private boolean readFully(byte[] buf) throws IOException {
            int n = 0;
            while (n < buf.length) {
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    offset += n;
                    return false;
                }
                n += r;
            }
            offset += n;
            return true;
        }

        private void report(long at, String problem) {
            if (listener != null) listener.corrupt(at, problem);
        }
    }

    /** Receives every problem found in an untrusted stream. */
    @FunctionalInterface
    public interface CorruptionListener {
        void corrupt(long streamOffset, String problem);
    }

    /** Convenience for tests: decode exactly one frame or fail. */
    public static Frame decodeOne(byte[] bytes) throws IOException {
        Frame f = new Reader(new java.io.ByteArrayInputStream(bytes), (o, p) -> {
            throw new IllegalStateException(p + " at offset " + o);
        }).next();
        if (f == null) throw new EOFException("no frame");
        return f;
    }
}
