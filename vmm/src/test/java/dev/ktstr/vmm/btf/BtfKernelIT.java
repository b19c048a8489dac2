package dev.ktstr.vmm.btf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.vmm.monitor.TestKernel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Parses the test kernel's real BTF and cross-checks member offsets against bpftool's own
 * decoding of the same file (an independent parser).
 */
class BtfKernelIT {
    @Test
    void structRqFieldsMatchBpftool() throws Exception {
        Path btfFile = TestKernel.btf();
        Btf btf = Btf.read(btfFile);
        assertThat(btf.typeCount()).isGreaterThan(10_000);
        Map<String, Long> rq = bpftoolMembers(btfFile, "rq");
        Map<String, Long> scxRq = bpftoolMembers(btfFile, "scx_rq");
        Map<String, Long> dq = bpftoolMembers(btfFile, "scx_dispatch_q");
        assertThat(rq).isNotEmpty();
        for (var e : rq.entrySet()) {
            if (e.getKey().equals("(anon)")) continue;
            assertThat(btf.resolve("rq", e.getKey()).offset() * 8).as("rq.%s", e.getKey()).isEqualTo(e.getValue());
        }
        long scx = rq.get("scx") / 8;
        assertThat(btf.resolve("rq", "scx.nr_running").offset()).isEqualTo(scx + scxRq.get("nr_running") / 8);
        assertThat(btf.resolve("rq", "scx.flags").offset()).isEqualTo(scx + scxRq.get("flags") / 8);
        assertThat(btf.resolve("rq", "scx.local_dsq.nr").offset())
                .isEqualTo(scx + scxRq.get("local_dsq") / 8 + dq.get("nr") / 8);
        assertThat(btf.resolve("rq", "nr_running").size()).isEqualTo(4);
        assertThat(btf.resolve("rq", "clock").size()).isEqualTo(8);
    }

    /** member name -> bit offset, from `bpftool btf dump file F format raw`. */
    static Map<String, Long> bpftoolMembers(Path btf, String struct) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", btf.toString(), "format", "raw").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError("bpftool failed (install it with ops/setup.sh): " + out.lines().findFirst().orElse(""));
        Map<String, Long> m = new HashMap<>();
        boolean in = false;
        Pattern member = Pattern.compile("^\\t'([^']*)' type_id=\\d+ bits_offset=(\\d+)");
        for (String line : out.split("\n")) {
            if (line.startsWith("[")) {
                if (in) break;
                in = line.contains("] STRUCT '" + struct + "' ");
                continue;
            }
            Matcher x = member.matcher(line);
            if (in && x.find()) m.put(x.group(1), Long.parseLong(x.group(2)));
        }
        return m;
    }

    static boolean exists(Path p) {
        return Files.isRegularFile(p);
    }
}
