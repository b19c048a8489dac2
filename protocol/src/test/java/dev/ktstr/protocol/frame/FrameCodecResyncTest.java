package dev.ktstr.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader against damaged streams: each case must still find the RESULT and EXIT frames that follow the damage. */
class FrameCodecResyncTest {

    private static byte[] stream(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static final byte[] RESULT = FrameCodec.encode(Frame.text(FrameType.RESULT, "{\"passed\":true}"));
    private static final byte[] EXIT = FrameCodec.encode(Frame.text(FrameType.EXIT, "{\"code\":0}"));

    private static List<FrameType> types(InputStream in, List<String> problems, int max) throws IOException {
        FrameCodec.Reader r = new FrameCodec.Reader(in, (o, p) -> problems.add(o + ": " + p), max);
        List<FrameType> out = new ArrayList<>();
        for (Frame f; (f = r.next()) != null; ) out.add(f.type());
        assertThat(r.problems()).isEqualTo(problems.size());
        return out;
    }

    @Test
    void corruptedLengthDoesNotSwallowTheFramesInsideIt() throws IOException {
        byte[] log = FrameCodec.encode(Frame.text(FrameType.LOG, "hello"));
        log[11] = 0x30; // low length byte: now claims 48 bytes, covering RESULT and part of EXIT; CRC fails
        List<String> problems = new ArrayList<>();
        List<FrameType> got = types(new ByteArrayInputStream(stream(log, RESULT, EXIT)), problems, FrameCodec.MAX_PAYLOAD);
        assertThat(got).containsExactly(FrameType.RESULT, FrameType.EXIT);
        assertThat(problems).anyMatch(p -> p.startsWith("0: checksum mismatch in LOG frame"));
    }

    @Test
    void lengthClaimingMoreThanTheStreamHoldsIsRescannedAtEndOfStream() throws IOException {
        byte[] log = FrameCodec.encode(Frame.text(FrameType.LOG, "hello"));
        log[9] = 0x10; // claims ~1 MiB; only ~70 bytes follow
        List<String> problems = new ArrayList<>();
        List<FrameType> got = types(new ByteArrayInputStream(stream(log, RESULT, EXIT)), problems, FrameCodec.MAX_PAYLOAD);
        assertThat(got).containsExactly(FrameType.RESULT, FrameType.EXIT);
        assertThat(problems).anyMatch(p -> p.contains("stream ended inside a LOG frame of 1048581 bytes"));
    }

    @Test
    void flippedBitInEveryPositionNeverYieldsADamagedFrameAndKeepsTheLaterOnes() throws IOException {
        byte[] first = FrameCodec.encode(Frame.text(FrameType.WORKER_REPORT, "{\"worker\":1,\"iterations\":12345}"));
        for (int i = 0; i < first.length; i++) {
            byte[] damaged = first.clone();
            damaged[i] ^= (byte) (1 << (i % 8));
            List<String> problems = new ArrayList<>();
            List<FrameType> got = types(new ByteArrayInputStream(stream(damaged, RESULT, EXIT)), problems, FrameCodec.MAX_PAYLOAD);
            assertThat(got).as("bit flip at byte %d", i).containsExactly(FrameType.RESULT, FrameType.EXIT);
            assertThat(problems).as("bit flip at byte %d", i).isNotEmpty();
        }
    }

    @Test
    void insertedBytesInsideAFrameAreReportedAndTheNextFramesSurvive() throws IOException {
        byte[] log = FrameCodec.encode(Frame.text(FrameType.LOG, "some log line"));
        byte[] withInsert = stream(java.util.Arrays.copyOf(log, 20), "XYZ".getBytes(StandardCharsets.US_ASCII),
                java.util.Arrays.copyOfRange(log, 20, log.length));
        List<String> problems = new ArrayList<>();
        List<FrameType> got = types(new ByteArrayInputStream(stream(withInsert, RESULT, EXIT)), problems, FrameCodec.MAX_PAYLOAD);
        assertThat(got).containsExactly(FrameType.RESULT, FrameType.EXIT);
        assertThat(problems).anyMatch(p -> p.contains("checksum mismatch in LOG frame"));
    }

    @Test
    void truncatedFrameFollowedByWholeFramesLosesOnlyTheTruncatedOne() throws IOException {
        byte[] log = FrameCodec.encode(Frame.text(FrameType.LOG, "cut short by a lost chunk"));
        List<String> problems = new ArrayList<>();
        List<FrameType> got = types(new ByteArrayInputStream(stream(java.util.Arrays.copyOf(log, 25), RESULT, EXIT)), problems,
                FrameCodec.MAX_PAYLOAD);
        assertThat(got).containsExactly(FrameType.RESULT, FrameType.EXIT);
        assertThat(problems).isNotEmpty();
    }

    @Test
    void truncatedResultIsLostNotInvented() throws IOException {
        List<String> problems = new ArrayList<>();
        List<FrameType> got = types(new ByteArrayInputStream(java.util.Arrays.copyOf(RESULT, RESULT.length - 1)), problems,
                FrameCodec.MAX_PAYLOAD);
        assertThat(got).isEmpty();
        assertThat(problems).anyMatch(p -> p.contains("stream ended inside a RESULT frame"));
    }

    @Test
    void oversizedFrameIsRejectedByTheReadersCapWithoutReadingIt() throws IOException {
        byte[] big = FrameCodec.encode(new Frame(FrameType.WORKER_REPORT, new byte[5000]));
        List<String> problems = new ArrayList<>();
        List<FrameType> got = types(new ByteArrayInputStream(stream(big, RESULT, EXIT)), problems, 4096);
        assertThat(got).containsExactly(FrameType.RESULT, FrameType.EXIT);
        assertThat(problems.get(0)).contains("frame length 5000 exceeds 4096");
    }

    /** A flood of 16 MiB of magic-laden junk: read in bounded memory, reported, and the frames after it kept. */
    @Test
    void floodOfFakeHeadersClaimingHugeLengthsUsesBoundedMemory() throws IOException {
        // every 16 bytes a plausible header claiming 16 MiB with a wrong CRC: the worst case for a skip-the-length reader
        byte[] fake = new byte[16];
        java.nio.ByteBuffer.wrap(fake).putInt(FrameCodec.MAGIC).put((byte) 1).put((byte) FrameType.LOG.code()).putShort((short) 0)
                .putInt(16 << 20).putInt(0);
        long floodBytes = 16L << 20;
        InputStream flood = new InputStream() {
            long pos;
            @Override public int read() {
                return pos >= floodBytes ? -1 : fake[(int) (pos++ % 16)] & 0xff;
            }
            @Override public int read(byte[] b, int off, int len) {
                if (pos >= floodBytes) return -1;
                int n = (int) Math.min(len, floodBytes - pos);
                for (int i = 0; i < n; i++) b[off + i] = fake[(int) (pos++ % 16)];
                return n;
            }
        };
        InputStream in = new java.io.SequenceInputStream(flood, new ByteArrayInputStream(stream(RESULT, EXIT)));
        int[] count = new int[1];
        FrameCodec.Reader r = new FrameCodec.Reader(in, (o, p) -> count[0]++, 1 << 20);
        assertThat(r.next().type()).isEqualTo(FrameType.RESULT);
        assertThat(r.next().type()).isEqualTo(FrameType.EXIT);
        assertThat(r.next()).isNull();
        assertThat(count[0]).isGreaterThan(1000);
    }
}
