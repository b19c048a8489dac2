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

    /**
     * Reads frames from an untrusted stream. Nothing a header claims is believed before the checksum
     * verifies it: a bad version, type, length or checksum costs one problem report and the reader
     * rescans from just after the rejected magic, so a frame hidden inside a corrupted frame's claimed
     * length (the RESULT and EXIT that follow it) is still found. The payload buffer grows only as
     * bytes actually arrive, so a claimed length never allocates memory the stream did not send, and
     * no frame over the reader's {@code maxPayload} is accepted.
     */
    public static final class Reader {
        /** Read granularity while collecting a payload; the buffer grows by at most this per read. */
        private static final int CHUNK = 64 * 1024;

        private final InputStream in;
        private final CorruptionListener listener;
        private final int maxPayload;
        /**
         * Bytes read from {@link #in}: {@code buf[pos..end)} not yet consumed. While a candidate
         * frame is parsed, {@code markPos} pins its start so the reader can rescan it; the buffer
         * therefore holds at most one frame (bounded by {@code maxPayload}) plus one read chunk.
         */
        private byte[] buf = new byte[CHUNK];
        private int pos;
        private int end;
        private int markPos = -1;
        private long offset;
        private long skippedBytes;
        private int problems;

        public Reader(InputStream in, CorruptionListener listener) {
            this(in, listener, MAX_PAYLOAD);
        }

        /** A reader that rejects (and rescans past) any frame whose payload exceeds {@code maxPayload} bytes. */
        public Reader(InputStream in, CorruptionListener listener, int maxPayload) {
            if (maxPayload < 0 || maxPayload > MAX_PAYLOAD) {
                throw new IllegalArgumentException("maxPayload " + maxPayload + " outside 0.." + MAX_PAYLOAD);
            }
            this.in = in;
            this.listener = listener;
            this.maxPayload = maxPayload;
        }

        /** The next valid frame, or {@code null} at the end of the stream. */
        public Frame next() throws IOException {
            while (true) {
                markPos = -1;
                if (!syncToMagic()) return null;
                markPos = pos; // the header and payload after this magic may have to be rescanned
                long start = offset - 4;
                byte[] rest = new byte[HEADER_BYTES - 4];
                int got = read(rest, 0, rest.length);
                if (got < rest.length) {
                    report(start, "stream ended inside a frame header");
                    unread(got);
                    continue;
                }
                ByteBuffer h = ByteBuffer.wrap(rest);
                int version = h.get() & 0xff;
                int typeCode = h.get() & 0xff;
                int flags = h.getShort() & 0xffff;
                long length = h.getInt() & 0xffffffffL;
                int crc = h.getInt();
                FrameType type = FrameType.ofCode(typeCode);
                String bad = version != VERSION ? "unsupported frame version " + version + " (expected " + VERSION + ")"
                        : type == null ? "unknown frame type " + typeCode
                        : flags != 0 ? "frame flags " + flags + " (must be 0)"
                        : length > maxPayload ? "frame length " + length + " exceeds " + maxPayload
                        : null;
                if (bad != null) {
                    // the magic matched by chance or the header is damaged: rescan the header bytes
                    report(start, bad);
                    unread(rest.length);
                    continue;
                }
                byte[] payload = collect((int) length);
                if (payload.length < length) {
                    report(start, "stream ended inside a " + type + " frame of " + length + " bytes (" + payload.length + " arrived)");
                    unread(payload.length + rest.length);
                    continue;
                }
                if ((int) crc(typeCode, payload) != crc) {
                    report(start, "checksum mismatch in " + type + " frame of " + length + " bytes");
                    // the length may be the corrupted field: the next frames may lie inside it
                    unread(payload.length + rest.length);
                    continue;
                }
                markPos = -1;
                return new Frame(type, payload);
            }
        }

        /** Bytes discarded so far while looking for a frame boundary. */
        public long skippedBytes() {
            return skippedBytes;
        }

        /** Problems reported so far; non-zero means the stream was damaged and frames may be missing. */
        public int problems() {
            return problems;
        }

        /** Up to {@code length} payload bytes, fewer only at end of stream; grows with what arrives. */
        private byte[] collect(int length) throws IOException {
            byte[] buf = new byte[Math.min(length, CHUNK)];
            int n = 0;
            while (n < length) {
                if (n == buf.length) buf = java.util.Arrays.copyOf(buf, (int) Math.min(length, Math.max((long) buf.length * 2, n + CHUNK)));
                int r = read(buf, n, buf.length - n);
                if (r <= 0) return java.util.Arrays.copyOf(buf, n);
                n += r;
            }
            return buf;
        }

        private boolean syncToMagic() throws IOException {
            int window = 0;
            int have = 0;
            long garbageStart = offset;
            while (true) {
                int b = read1();
                if (b < 0) {
                    long garbage = offset - garbageStart;
                    if (garbage > 0) {
                        skippedBytes += garbage;
                        report(garbageStart, garbage + " bytes of non-frame data before end of stream");
                    }
                    return false;
                }
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

        /**
         * Gives back the last {@code len} bytes consumed, to be read again. Every byte consumed is
         * still in {@link #buf} (it is compacted only past the current frame start), so this is a
         * cursor move, not a copy.
         */
        private void unread(int len) {
            pos -= len;
            offset -= len;
        }

        /** Makes at least one unconsumed byte available in {@link #buf}; false at end of stream. */
        private boolean fill() throws IOException {
            if (pos < end) return true;
            if (markPos > 0 || (markPos < 0 && pos > 0)) {
                int keep = markPos < 0 ? pos : markPos;
                System.arraycopy(buf, keep, buf, 0, end - keep);
                end -= keep;
                pos -= keep;
                if (markPos >= 0) markPos = 0;
            }
            if (end == buf.length) buf = java.util.Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, (long) buf.length * 2));
            int r = in.read(buf, end, Math.min(buf.length - end, CHUNK));
            if (r <= 0) return false;
            end += r;
            return true;
        }

        private int read1() throws IOException {
            if (!fill()) return -1;
            offset++;
            return buf[pos++] & 0xff;
        }

        /** Up to {@code len} bytes, fewer only at end of stream. */
        private int read(byte[] dst, int off, int len) throws IOException {
            int n = 0;
            while (n < len && fill()) {
                int r = Math.min(len - n, end - pos);
                System.arraycopy(buf, pos, dst, off + n, r);
                pos += r;
                n += r;
                offset += r;
            }
            return n;
        }

        private void report(long at, String problem) {
            problems++;
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
