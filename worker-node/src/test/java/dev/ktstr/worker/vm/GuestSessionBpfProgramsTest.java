package dev.ktstr.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameCodec;
import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.guest.BpfProgram;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestSessionBpfProgramsTest {
    final ObjectMapper json = new ObjectMapper();

    GuestSession read(Frame... frames) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) FrameCodec.write(out, f);
        GuestSession s = new GuestSession(json);
        s.readAll(new ByteArrayInputStream(out.toByteArray()), null);
        return s;
    }

    Frame programs(Object list) throws Exception {
        return new Frame(FrameType.BPF_PROGRAMS, json.writeValueAsBytes(list));
    }

    @Test
    void theProgramListingBindsAndTheLastOneWins() throws Exception {
        GuestSession s = read(programs(List.of(new BpfProgram(1, "old", "struct_ops", 1, 1, 1))),
                programs(List.of(new BpfProgram(40, "qmap_enqueue", "struct_ops", 1234, 512, 300),
                        new BpfProgram(41, "qmap_monitor", "syscall", 99, 64, 0))));
        assertThat(s.bpfPrograms).extracting(BpfProgram::name).containsExactly("qmap_enqueue", "qmap_monitor");
        assertThat(s.problems).isEmpty();
    }

    @Test
    void anUntrustedListingIsCappedCleanedAndAMalformedOneIsAProblem() throws Exception {
        List<BpfProgram> many = new ArrayList<>();
        for (int i = 0; i < BpfProgram.MAX_REPORTED + 10; i++) many.add(new BpfProgram(i, "p\u001b[2J" + i, "struct_ops", i, 0, 0));
        many.add(3, new BpfProgram(9999, "negative", "struct_ops", -5, 0, 0));
        GuestSession s = read(programs(many));
        assertThat(s.bpfPrograms).hasSize(BpfProgram.MAX_REPORTED).noneMatch(p -> p.name().contains("\u001b"))
                .noneMatch(p -> p.verifiedInsns() < 0);
        assertThat(s.problems).anyMatch(p -> p.contains("over " + BpfProgram.MAX_REPORTED));

        GuestSession bad = read(new Frame(FrameType.BPF_PROGRAMS, "{not json".getBytes(StandardCharsets.UTF_8)));
        assertThat(bad.bpfPrograms).isEmpty();
        assertThat(bad.problems).anyMatch(p -> p.contains("malformed BPF_PROGRAMS"));
    }
}
