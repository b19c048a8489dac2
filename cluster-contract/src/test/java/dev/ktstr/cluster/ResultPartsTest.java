package dev.ktstr.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResultPartsTest {

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void partsInOrderGiveBackThePayload() {
        byte[] payload = bytes(2 * 1024 * 1024 + 17);
        List<byte[]> parts = ResultParts.split(payload);
        assertThat(parts).hasSize(9);
        ResultParts.Assembly a = new ResultParts.Assembly(payload.length, ResultParts.sha256(payload));
        long off = 0;
        for (byte[] p : parts) {
            assertThat(a.complete()).isFalse();
            assertThat(a.add(off, p)).isTrue();
            off += p.length;
        }
        assertThat(a.payload()).isEqualTo(payload);
    }

    @Test
    void aLostOrRepeatedPartBreaksTheAssembly() {
        byte[] payload = bytes(600_000);
        List<byte[]> parts = ResultParts.split(payload);
        ResultParts.Assembly a = new ResultParts.Assembly(payload.length, ResultParts.sha256(payload));
        assertThat(a.add(0, parts.get(0))).isTrue();
        assertThat(a.add(2L * ClusterProtocol.CHUNK_BYTES, parts.get(2))).as("a gap").isFalse();
        assertThat(a.add(0, parts.get(0))).as("a repeat").isFalse();
    }

    @Test
    void bytesThatDoNotMatchTheDigestAreNoPayload() {
        byte[] payload = bytes(1000);
        ResultParts.Assembly a = new ResultParts.Assembly(payload.length, ResultParts.sha256(bytes(999)));
        assertThat(a.add(0, payload)).isTrue();
        assertThat(a.complete()).isTrue();
        assertThat(a.payload()).isNull();
    }

    @Test
    void aSizeOverTheLimitOrAPartPastTheEndIsRefused() {
        assertThatThrownBy(() -> new ResultParts.Assembly(ResultParts.MAX_RESULT_BYTES + 1, "x")).hasMessageContaining("allowed");
        assertThatThrownBy(() -> new ResultParts.Assembly(0, "x")).hasMessageContaining("allowed");
        ResultParts.Assembly a = new ResultParts.Assembly(10, "x");
        assertThat(a.add(0, new byte[11])).isFalse();
    }
}
