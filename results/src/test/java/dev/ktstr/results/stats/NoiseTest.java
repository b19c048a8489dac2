package dev.ktstr.results.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NoiseTest {

    @Test
    void exactPValuesOfFullySeparatedSamplesShowWhyFourIsTheMinimum() {
        assertThat(Noise.of(new double[] {1, 2, 3, 4, 5}, new double[] {6, 7, 8, 9, 10}, 4).orElseThrow().pValue())
                .isCloseTo(2.0 / 252, within(1e-9));
        assertThat(Noise.of(new double[] {1, 2, 3, 4}, new double[] {6, 7, 8, 9}, 4).orElseThrow().pValue())
                .isCloseTo(2.0 / 70, within(1e-9));
        assertThat(Noise.of(new double[] {1, 2, 3}, new double[] {6, 7, 8}, 3).orElseThrow().pValue())
                .isCloseTo(0.1, within(1e-9));
        assertThat(Noise.of(new double[] {1, 2, 3}, new double[] {6, 7, 8}, 4)).isEmpty();
    }

    @Test
    void interleavedSamplesAreNoiseAndTheIntervalIsStudents() {
        Noise n = Noise.of(new double[] {1, 3, 5, 7, 9}, new double[] {2, 4, 6, 8, 10}, 4).orElseThrow();
        assertThat(n.pValue()).isGreaterThan(0.5);
        assertThat(n.significant(0.05)).isFalse();
        Noise ci = Noise.of(new double[] {1, 2, 3, 4, 5}, new double[] {1, 2, 3, 4, 5}, 4).orElseThrow();
        assertThat(ci.meanA()).isEqualTo(3.0);
        assertThat(ci.ciA()).isCloseTo(2.776445 * Math.sqrt(2.5) / Math.sqrt(5), within(1e-5));
        assertThat(Noise.of(new double[] {2, 2, 2, 2}, new double[] {2, 2, 2, 2}, 4).orElseThrow().pValue()).isEqualTo(1.0);
    }
}
