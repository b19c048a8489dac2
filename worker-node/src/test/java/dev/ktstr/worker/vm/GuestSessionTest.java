package dev.ktstr.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameCodec;
import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.outcome.VmOutcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class GuestSessionTest {

    private static GuestSession read(byte[] bytes) {
        GuestSession s = new GuestSession(new ObjectMapper());
        s.readAll(new ByteArrayInputStream(bytes), null);
        return s;
    }

    @Test
    void aCorruptFrameBeforeTheResultKeepsTheResultAndRecordsTheDamage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] log = FrameCodec.encode(Frame.text(FrameType.LOG, "a log line long enough"));
        log[11] = 60; // corrupted length reaching into the RESULT frame
        out.writeBytes(log);
        out.writeBytes(FrameCodec.encode(Frame.text(FrameType.RESULT, "{\"passed\":true}")));
        out.writeBytes(FrameCodec.encode(Frame.text(FrameType.EXIT, "{\"code\":0}")));
        GuestSession s = read(out.toByteArray());
        assertThat(s.result.path("passed").asBoolean()).isTrue();
        assertThat(s.exit).isNotNull();
        assertThat(s.problems).anyMatch(p -> p.startsWith("data channel offset 0: checksum mismatch in LOG frame"))
                .anyMatch(p -> p.startsWith(VmOutcome.CHANNEL_DAMAGED));
    }

    @Test
    void aCleanStreamRecordsNoDamage() {
        GuestSession s = read(FrameCodec.encode(Frame.text(FrameType.RESULT, "{\"passed\":true}")));
        assertThat(s.problems).isEmpty();
    }

    @Test
    void aFloodOfStimuliIsCappedAndTheCapIsRecorded() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] one = FrameCodec.encode(Frame.text(FrameType.STIMULUS, "{\"kind\":\"op\",\"guestNanos\":1}"));
        for (int i = 0; i < GuestSession.MAX_STIMULI + 5; i++) out.writeBytes(one);
        out.writeBytes(FrameCodec.encode(Frame.text(FrameType.RESULT, "{\"passed\":true}")));
        GuestSession s = read(out.toByteArray());
        assertThat(s.stimuli).hasSize(GuestSession.MAX_STIMULI);
        assertThat(s.result).isNotNull();
        assertThat(s.problems).anyMatch(p -> p.startsWith("data channel limit: 5 STIMULUS frames dropped"));
        assertThat(s.problems).noneMatch(p -> p.startsWith(VmOutcome.CHANNEL_DAMAGED));
    }

    @Test
    void aFrameOverThePerVmCapIsRejectedAndTheFollowingFramesKept() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(FrameCodec.encode(new Frame(FrameType.WORKER_REPORT, new byte[GuestSession.MAX_FRAME_BYTES + 1])));
        out.writeBytes(FrameCodec.encode(Frame.text(FrameType.RESULT, "{\"passed\":true}")));
        GuestSession s = read(out.toByteArray());
        assertThat(s.result).isNotNull();
        assertThat(s.workerReports).isEmpty();
        assertThat(s.problems).anyMatch(p -> p.contains("exceeds " + GuestSession.MAX_FRAME_BYTES));
    }
}
