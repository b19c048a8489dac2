package dev.ktstr.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.results.RunId;
import org.junit.jupiter.api.Test;

class RunIdsTest {
    @Test
    void aRunWithoutKernelOrCommitGetsTheOneRunIdFormat() {
        String id = RunIds.newRunId();
        assertThat(RunId.looksLikeRunId(id)).as(id).isTrue();
        assertThat(id).matches("\\d{8}T\\d{6}Z-unknown-unknown-[0-9a-f]{4}");
        assertThat(RunIds.validate(id)).isEqualTo(id);
        assertThat(RunIds.newRunId()).isNotEqualTo(id);
    }
}
