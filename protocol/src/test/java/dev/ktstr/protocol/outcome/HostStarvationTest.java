package dev.ktstr.protocol.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostStarvationTest {
    static final long MS = 1_000_000;

    @Test
    void consecutiveNearlyWholeIntervalsOfWaitingAreOneWait() {
        long[] wall = {100 * MS, 100 * MS, 100 * MS, 100 * MS, 100 * MS};
        long[] delay = {5 * MS, 95 * MS, 100 * MS, 92 * MS, 10 * MS};
        assertThat(HostStarvation.longestWaitNs(wall, delay)).isEqualTo(287 * MS);
    }

    @Test
    void shortWaitsSpreadOverManyIntervalsAreNoLongWait() {
        long[] wall = new long[50];
        long[] delay = new long[50];
        java.util.Arrays.fill(wall, 100 * MS);
        java.util.Arrays.fill(delay, 60 * MS); // 3 s of delay in all, never a whole interval
        assertThat(HostStarvation.longestWaitNs(wall, delay)).isZero();
        assertThat(HostStarvation.longestWaitNs(new long[0], new long[0])).isZero();
    }
}
