package dev.ktstr.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameCodec;
import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.outcome.VmOutcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ChannelFaultTest {
    private static final byte[] LOG = FrameCodec.encode(Frame.text(FrameType.LOG, "a log line before the result"));
    private static final byte[] RESULT = FrameCodec.encode(Frame.text(FrameType.RESULT, "{\"passed\":true}"));
    private static final byte[] EXIT = FrameCodec.encode(Frame.text(FrameType.EXIT, "{\"code\":0}"));

    private static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(LOG);
        out.writeBytes(RESULT);
        out.writeBytes(EXIT);
        return out.toByteArray();
    }

    private static byte[] through(ChannelFault f, byte[] in) throws IOException {
        // small reads, as from a socket, so the fault must strike at its offset across read boundaries
        InputStream s = f.apply(new ByteArrayInputStream(in) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7));
            }
        });
        return s.readAllBytes();
    }

    private static GuestSession read(ChannelFault f) {
        GuestSession s = new GuestSession(new ObjectMapper());
        s.readAll(f.apply(new ByteArrayInputStream(stream())), null);
        return s;
    }

    @Test
    void eachModeChangesTheStreamExactlyAtItsOffset() throws IOException {
        byte[] in = stream();
        byte[] flipped = through(new ChannelFault(ChannelFault.Mode.FLIP, 20), in);
        assertThat(flipped).hasSameSizeAs(in);
        for (int i = 0; i < in.length; i++) {
            assertThat(flipped[i]).as("byte %d", i).isEqualTo(i == 20 ? (byte) (in[i] ^ 0x10) : in[i]);
        }
        byte[] inserted = through(new ChannelFault(ChannelFault.Mode.INSERT, 9), in);
        assertThat(inserted).hasSize(in.length + ChannelFault.INSERT_BYTES);
        assertThat(java.util.Arrays.copyOf(inserted, 9)).isEqualTo(java.util.Arrays.copyOf(in, 9));
        assertThat(java.util.Arrays.copyOfRange(inserted, 9 + ChannelFault.INSERT_BYTES, inserted.length))
                .isEqualTo(java.util.Arrays.copyOfRange(in, 9, in.length));
        assertThat(through(new ChannelFault(ChannelFault.Mode.TRUNCATE, 30), in)).isEqualTo(java.util.Arrays.copyOf(in, 30));
        assertThat(through(new ChannelFault(ChannelFault.Mode.FLOOD, 0), in)).hasSize(in.length + ChannelFault.FLOOD_BYTES);
    }

    @Test
    void theReaderKeepsTheResultThroughAFlipInsertOrFloodBeforeItAndLosesItToATruncation() {
        for (ChannelFault f : new ChannelFault[] {new ChannelFault(ChannelFault.Mode.FLIP, 20),
                new ChannelFault(ChannelFault.Mode.INSERT, 9), new ChannelFault(ChannelFault.Mode.FLOOD, LOG.length)}) {
            GuestSession s = read(f);
            assertThat(s.result).as("%s", f).isNotNull();
            assertThat(s.exit).as("%s", f).isNotNull();
            assertThat(s.problems).as("%s", f).anyMatch(p -> p.startsWith(VmOutcome.CHANNEL_DAMAGED));
        }
        GuestSession cut = read(new ChannelFault(ChannelFault.Mode.TRUNCATE, LOG.length + 5));
        assertThat(cut.result).isNull();
        assertThat(cut.problems).anyMatch(p -> p.startsWith(VmOutcome.CHANNEL_DAMAGED));
        // cut cleanly between frames: nothing to see in the stream (the verdict reads the console's exit code instead)
        GuestSession clean = read(new ChannelFault(ChannelFault.Mode.TRUNCATE, LOG.length));
        assertThat(clean.result).isNull();
        assertThat(clean.problems).isEmpty();
    }

    @Test
    void aBadSpecNamesTheProblemAndTheForm() {
        assertThat(ChannelFault.parse("flip@4096")).isEqualTo(new ChannelFault(ChannelFault.Mode.FLIP, 4096));
        assertThat(ChannelFault.parse("TRUNCATE@0")).isEqualTo(new ChannelFault(ChannelFault.Mode.TRUNCATE, 0));
        assertThatThrownBy(() -> ChannelFault.parse("flip")).hasMessageContaining("no @OFFSET").hasMessageContaining("e.g. flip@4096");
        assertThatThrownBy(() -> ChannelFault.parse("smash@3")).hasMessageContaining("unknown mode 'smash'");
        assertThatThrownBy(() -> ChannelFault.parse("flip@x")).hasMessageContaining("offset 'x' is not a number");
        assertThatThrownBy(() -> ChannelFault.parse("flip@-1")).hasMessageContaining("negative");
    }
}
