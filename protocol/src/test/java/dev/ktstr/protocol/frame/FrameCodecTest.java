package dev.ktstr.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    @Test
    void roundTripsEveryType() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Frame> sent = new ArrayList<>();
        for (FrameType t : FrameType.values()) {
            Frame f = Frame.text(t, "payload of " + t);
            sent.add(f);
            FrameCodec.write(out, f);
        }
        FrameCodec.write(out, new Frame(FrameType.LOG, new byte[0]));
        sent.add(new Frame(FrameType.LOG, new byte[0]));

        List<String> problems = new ArrayList<>();
        FrameCodec.Reader r = new FrameCodec.Reader(new ByteArrayInputStream(out.toByteArray()),
                (off, p) -> problems.add(p));
        List<Frame> got = new ArrayList<>();
        for (Frame f; (f = r.next()) != null; ) got.add(f);
        assertThat(got).isEqualTo(sent);
        assertThat(problems).isEmpty();
    }

    @Test
    void skipsGarbageAndCorruptFramesReportingOffsets() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("console noise\n".getBytes(StandardCharsets.US_ASCII));
        FrameCodec.write(out, Frame.text(FrameType.LOG, "first"));
        byte[] bad = FrameCodec.encode(Frame.text(FrameType.RESULT, "{\"passed\":true}"));
        bad[bad.length - 2] ^= 0x20; // flip a payload bit: checksum must catch it
        out.write(bad);
        FrameCodec.write(out, Frame.text(FrameType.EXIT, "0"));

        List<String> problems = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        FrameCodec.Reader r = new FrameCodec.Reader(new ByteArrayInputStream(out.toByteArray()), (off, p) -> {
            offsets.add(off);
            problems.add(p);
        });
        assertThat(r.next().payloadText()).isEqualTo("first");
        assertThat(r.next().type()).isEqualTo(FrameType.EXIT);
        assertThat(r.next()).isNull();
        // the damaged frame's bytes are rescanned (a corrupted length may hide frames) and then skipped
        assertThat(problems).hasSize(3);
        assertThat(problems.get(0)).contains("14 bytes of non-frame data skipped");
        assertThat(offsets.get(0)).isZero();
        assertThat(problems.get(1)).contains("checksum mismatch in RESULT frame");
        assertThat(problems.get(2)).contains(bad.length - 4 + " bytes of non-frame data skipped");
        assertThat(r.skippedBytes()).isEqualTo(14 + bad.length - 4);
    }

    @Test
    void rejectsOversizedAndUnknownFramesWithoutAllocating() throws IOException {
        byte[] f = FrameCodec.encode(Frame.text(FrameType.LOG, "x"));
        byte[] huge = f.clone();
        huge[8] = 0x7f; // length field high byte: ~2 GiB
        byte[] unknown = f.clone();
        unknown[5] = (byte) 200;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(huge);
        out.write(unknown);
        out.write(f);
        List<String> problems = new ArrayList<>();
        FrameCodec.Reader r = new FrameCodec.Reader(new ByteArrayInputStream(out.toByteArray()), (o, p) -> problems.add(p));
        assertThat(r.next().payloadText()).isEqualTo("x");
        assertThat(problems).anyMatch(p -> p.contains("exceeds")).anyMatch(p -> p.contains("unknown frame type 200"));
    }

    @Test
    void reportsTruncatedStream() throws IOException {
        byte[] f = FrameCodec.encode(Frame.text(FrameType.RESULT, "0123456789"));
        byte[] cut = java.util.Arrays.copyOf(f, f.length - 3);
        List<String> problems = new ArrayList<>();
        FrameCodec.Reader r = new FrameCodec.Reader(new ByteArrayInputStream(cut), (o, p) -> problems.add(p));
        assertThat(r.next()).isNull();
        assertThat(problems).first().asString().contains("stream ended inside a RESULT frame");
        assertThat(problems).hasSize(2).last().asString().contains("non-frame data before end of stream");
    }

    @Test
    void retiredCodesAreUnknownAndNoCodeIsUsedTwice() {
        for (int retired : new int[] {8, 9, 11, 12}) {
            org.assertj.core.api.Assertions.assertThat(FrameType.ofCode(retired)).as("code " + retired).isNull();
        }
        org.assertj.core.api.Assertions.assertThat(java.util.Arrays.stream(FrameType.values()).map(FrameType::code).distinct().count())
                .isEqualTo(FrameType.values().length);
    }
}
