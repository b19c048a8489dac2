package dev.ktstr.coordinator.progress;

import dev.ktstr.coordinator.RunProgress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressPrinterTest {

    private static RunProgress progress(int done, int running, double rate) {
        return new RunProgress("r1", 10, done, running, 10 - done - running, done, 0, 0, 0,
                List.of(new RunProgress.WorkerLoad("local", running, 1, running, 2, "tcg")), rate, 5, 1000);
    }

    @Test
    void printsOnlyWhenCountsChange() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressPrinter printer = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        printer.onProgress(progress(0, 1, 0.0));
        printer.onProgress(progress(0, 1, 0.1));
        printer.onProgress(progress(0, 1, 0.2));
        printer.onProgress(progress(1, 1, 0.3));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("0/10 done");
        assertThat(lines[1]).contains("1/10 done");
    }
}
