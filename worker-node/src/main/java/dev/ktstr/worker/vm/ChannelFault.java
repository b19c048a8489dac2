package dev.ktstr.worker.vm;

import dev.ktstr.protocol.frame.FrameCodec;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * A fault put between QEMU's data-port socket and the frame reader, for the fault-model tests: the
 * guest channel is untrusted, and a damaged stream must end in a correct verdict or a clear
 * "channel corrupted" infrastructure error, never a PASS built from missing frames. Set with the
 * hidden {@code ktstr test --inject-channel-fault MODE@OFFSET}; never on by default.
 *
 * @param mode   what happens to the byte stream at {@code offset}
 * @param offset stream offset (bytes from the start of the channel) where the fault strikes
 */
public record ChannelFault(Mode mode, long offset) {
    /** Bytes a {@link Mode#FLOOD} inserts: more than the per-VM retained cap, all fake frame headers. */
    static final int FLOOD_BYTES = 24 << 20;
    /** Bytes a {@link Mode#INSERT} inserts. */
    static final int INSERT_BYTES = 37;

    public enum Mode {
        /** one bit of the byte at the offset is inverted */
        FLIP,
        /** {@value ChannelFault#INSERT_BYTES} garbage bytes appear before the byte at the offset */
        INSERT,
        /** nothing from the offset on reaches the reader (the rest is read from QEMU and dropped, so the guest never blocks) */
        TRUNCATE,
        /** 24 MiB of fake headers claiming 64 MiB payloads appear before the byte at the offset */
        FLOOD
    }

    public ChannelFault {
        if (mode == null) throw new IllegalArgumentException("channel fault: no mode");
        if (offset < 0) throw new IllegalArgumentException("channel fault: offset " + offset + " is negative");
    }

    /** {@code flip@4096}, {@code insert@200}, {@code truncate@0}, {@code flood@300}. */
    public static ChannelFault parse(String s) {
        int at = s.indexOf('@');
        String fix = " (expected MODE@OFFSET with MODE one of flip, insert, truncate, flood, e.g. flip@4096)";
        if (at < 0) throw new IllegalArgumentException("channel fault '" + s + "' has no @OFFSET" + fix);
        Mode m;
        long off;
        try {
            m = Mode.valueOf(s.substring(0, at).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("channel fault '" + s + "': unknown mode '" + s.substring(0, at) + "'" + fix);
        }
        try {
            off = Long.parseLong(s.substring(at + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("channel fault '" + s + "': offset '" + s.substring(at + 1) + "' is not a number" + fix);
        }
        return new ChannelFault(m, off);
    }

    /** The reader's view of {@code in} with this fault applied. */
    public InputStream apply(InputStream in) {
        return new Faulty(in, this);
    }

    static byte[] injected(Mode mode) {
        if (mode == Mode.INSERT) {
            byte[] b = new byte[INSERT_BYTES];
            for (int i = 0; i < b.length; i++) b[i] = (byte) (0xA5 ^ i * 31);
            return b;
        }
        // fake headers: right magic and version, a known type, a length at the reader's limit, a wrong CRC
        ByteBuffer b = ByteBuffer.allocate(FLOOD_BYTES);
        while (b.remaining() >= FrameCodec.HEADER_BYTES) {
            b.putInt(FrameCodec.MAGIC).put((byte) FrameCodec.VERSION).put((byte) 2).putShort((short) 0)
                    .putInt(FrameCodec.MAX_PAYLOAD).putInt(0xDEADBEEF);
        }
        return b.array();
    }

    private static final class Faulty extends FilterInputStream {
        private final ChannelFault fault;
        private long pos;
        private byte[] pending;
        private int pendingAt;
        private boolean struck;

        Faulty(InputStream in, ChannelFault fault) {
            super(in);
            this.fault = fault;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (pending != null) {
                int n = Math.min(len, pending.length - pendingAt);
                System.arraycopy(pending, pendingAt, b, off, n);
                pendingAt += n;
                if (pendingAt == pending.length) pending = null;
                return n;
            }
            if (!struck && pos == fault.offset && (fault.mode == Mode.INSERT || fault.mode == Mode.FLOOD)) {
                struck = true;
                pending = injected(fault.mode);
                pendingAt = 0;
                return read(b, off, len);
            }
            if (fault.mode == Mode.TRUNCATE && pos >= fault.offset) {
                in.transferTo(java.io.OutputStream.nullOutputStream()); // keep QEMU's socket drained until the guest closes it
                return -1;
            }
            // stop a read at the offset so the fault strikes exactly there
            int want = !struck && pos < fault.offset ? (int) Math.min(len, fault.offset - pos) : len;
            int n = in.read(b, off, want);
            if (n <= 0) return n;
            if (!struck && fault.mode == Mode.FLIP && pos <= fault.offset && fault.offset < pos + n) {
                b[off + (int) (fault.offset - pos)] ^= 0x10;
                struck = true;
            }
            pos += n;
            return n;
        }
    }
}
