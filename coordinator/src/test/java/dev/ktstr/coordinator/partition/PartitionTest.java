package dev.ktstr.coordinator.partition;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionTest {

    private static List<String> names(int n, String prefix) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add("gauntlet/" + prefix + i + "/tiny-1llc/default");
        return l;
    }

    @Test
    void everyVariantLandsInExactlyOneShard() {
        List<String> all = names(1000, "t");
        int total = 0;
        for (int m = 1; m <= 4; m++) {
            Partition p = Partition.parse("hash:" + m + "/4");
            List<String> mine = p.filter(all, s -> s);
            total += mine.size();
            // roughly balanced: each of 4 shards gets 250 +- 60
            assertThat(mine.size()).isBetween(190, 310);
            for (int k = 1; k <= 4; k++) {
                if (k != m) assertThat(Partition.parse("hash:" + k + "/4").filter(mine, s -> s)).isEmpty();
            }
        }
        assertThat(total).isEqualTo(all.size());
    }

    @Test
    void addingTestsNeverMovesExistingOnes() {
        List<String> before = names(300, "a");
        Map<String, Integer> shardOf = new HashMap<>();
        before.forEach(n -> shardOf.put(n, Partition.bucket(n, 5)));
        List<String> after = new ArrayList<>(names(200, "new"));
        after.addAll(before);
        after.forEach(n -> {
            if (shardOf.containsKey(n)) assertThat(Partition.bucket(n, 5)).isEqualTo(shardOf.get(n));
        });
    }

    @Test
    void deterministicAcrossCalls() {
        assertThat(Partition.bucket("ktstr/cpuset_split", 7)).isEqualTo(Partition.bucket("ktstr/cpuset_split", 7));
        assertThat(Partition.parse("hash:1/1").contains("anything")).isTrue();
    }

    @Test
    void rejectsBadSpecsWithTheFormat() {
        assertThatThrownBy(() -> Partition.parse("2/4")).hasMessageContaining("hash:M/N");
        assertThatThrownBy(() -> Partition.parse("hash:0/4")).hasMessageContaining("1..4");
        assertThatThrownBy(() -> Partition.parse("hash:5/4")).hasMessageContaining("1..4");
        assertThatThrownBy(() -> Partition.parse("hash:1/0")).hasMessageContaining(">= 1");
    }
}
