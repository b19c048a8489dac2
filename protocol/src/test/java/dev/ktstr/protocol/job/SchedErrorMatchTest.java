package dev.ktstr.protocol.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SchedErrorMatchTest {
    @Test
    void containsAndRegexMustBothHold() {
        SchedErrorMatch m = SchedErrorMatch.of("triggering", "^scx_bpf_error: ");
        assertThat(m.matches("scx_bpf_error: test triggering error")).isTrue();
        assertThat(m.matches("runnable task stall: test triggering error")).isFalse();
        assertThat(m.matches("scx_bpf_error: other")).isFalse();
        assertThat(m.matches(null)).isFalse();
        assertThat(m.describe()).isEqualTo("containing 'triggering' and matching /^scx_bpf_error: /");
    }

    @Test
    void unsetIsNoMatcherAndABadRegexSaysHowToFixIt() {
        assertThat(SchedErrorMatch.of("", "")).isNull();
        assertThat(new VerdictTerms(false, null, SchedErrorMatch.of("x", null), false).expectErr()).isTrue();
        assertThatThrownBy(() -> SchedErrorMatch.of(null, "scx_bpf_error (")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expectSchedErrorMatches is not a valid regular expression").hasMessageContaining("\\Q...\\E");
    }
}
