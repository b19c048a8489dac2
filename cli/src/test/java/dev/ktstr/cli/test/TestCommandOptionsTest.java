package dev.ktstr.cli.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TestCommandOptionsTest {

    @Test
    void aZeroOrNegativeTimeoutIsRefusedBeforeAnyRunDirExists(@TempDir Path tmp) throws Exception {
        Path tests = Files.createDirectory(tmp.resolve("classes"));
        for (String t : new String[] {"0", "-5"}) {
            Path runs = tmp.resolve("runs" + t);
            PrintStream saved = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code;
            try {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                code = new CommandLine(new TestCommand()).execute("--timeout", t, "--runs-dir", runs.toString(), tests.toString());
            } finally {
                System.setErr(saved);
            }
            assertThat(code).as("--timeout %s", t).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("ktstr test: --timeout must be >= 1 s").contains("got " + t);
            assertThat(runs).doesNotExist();
        }
    }
}
