package dev.ktstr.worker.vm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SanitizeTest {

    @Test
    void tailKeepsWholeLinesAndSaysWhatWasCut() {
        String text = "first line\nsecond line\nthird line";
        assertThat(Sanitize.tail(text, 100)).isEqualTo(text);
        String cut = Sanitize.tail(text, 15);
        assertThat(cut).startsWith("[first 23 characters omitted]\n").endsWith("third line");
        assertThat(cut).doesNotContain("second");
    }

    @Test
    void blockStripsTerminalEscapesFromGuestText() {
        assertThat(Sanitize.block("ok\n\u001b[2Jevil", 10)).isEqualTo("ok\n?[2Jevil");
    }
}
