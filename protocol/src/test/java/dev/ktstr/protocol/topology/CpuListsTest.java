package dev.ktstr.protocol.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuListsTest {
    @Test
    void parsesWhatTheKernelWritesAndFormatsItBack() {
        assertThat(CpuLists.parse("0-3,8,10-11\n")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuLists.parse(" 4 , 1 - 2")).containsExactly(1, 2, 4);
        assertThat(CpuLists.parse("")).isEmpty();
        assertThat(CpuLists.format(CpuLists.parse("7,0-3,5"))).isEqualTo("0-3,5,7");
        assertThat(CpuLists.format(List.of())).isEmpty();
    }

    @Test
    void badInputGetsOneErrorNamingTheListAndThePart() {
        assertThatThrownBy(() -> CpuLists.parse("0-x")).hasMessage("malformed cpu list '0-x': '0-x' is not a number or range (expected e.g. 0-3,8)");
        assertThatThrownBy(() -> CpuLists.parse("3-1")).hasMessageContaining("'3-1' is a descending range");
        assertThatThrownBy(() -> CpuLists.parse("0,,2")).hasMessageContaining("'' is not a number or range");
        assertThatThrownBy(() -> CpuLists.parse("0-2000000000")).hasMessageContaining("is outside 0-65535");
        assertThatThrownBy(() -> CpuLists.parse("-1")).hasMessageContaining("'-1' is not a number or range");
    }
}
