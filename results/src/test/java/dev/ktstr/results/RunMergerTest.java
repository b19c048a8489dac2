package dev.ktstr.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.sidecar.RunMeta;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.VariantKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunMergerTest {
    @TempDir
    Path root;

    @Test
    void mergingShardsEqualsTheUnshardedRun() throws Exception {
        RunStore store = RunStore.open(root);
        List<Sidecar> all = SidecarFixtures.gauntlet(5);
        RunDir unsharded = SidecarFixtures.writeRun(store, all);
        RunDir shard0 = SidecarFixtures.writeRun(store, all.subList(0, 3));
        RunDir shard1 = SidecarFixtures.writeRun(store, all.subList(2, 6)); // variant 2 in both shards, identical
        RunMerger.Result r = RunMerger.merge(store, List.of(shard0.path(), shard1.path()), null);
        assertThat(r.variants()).isEqualTo(6);
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(variantSet(r.created())).isEqualTo(variantSet(unsharded));
        assertThat(r.created().meta().mergedFrom()).containsExactly(shard0.id(), shard1.id());
        assertThat(r.created().meta().runSource()).isEqualTo("merge");
        assertThat(store.runs()).hasSize(4);
    }

    @Test
    void conflictingDuplicatesAreRefusedAndNothingIsWritten() throws Exception {
        RunStore store = RunStore.open(root);
        List<Sidecar> all = SidecarFixtures.gauntlet(6);
        RunDir a = SidecarFixtures.writeRun(store, all.subList(0, 2));
        RunDir b = SidecarFixtures.writeRun(store, List.of(all.get(1).toBuilder().failed("stuck 4500ms on cpu1").build()));
        assertThatThrownBy(() -> RunMerger.merge(store, List.of(a.path(), b.path()), "merged"))
                .isInstanceOf(RunMerger.MergeConflictException.class)
                .hasMessageContaining(all.get(1).testName()).hasMessageContaining("passed")
                .hasMessageContaining(a.path().toString()).hasMessageContaining(b.path().toString());
        assertThat(Files.exists(root.resolve("merged"))).isFalse();
        assertThat(store.runs()).hasSize(2);
    }

    @Test
    void intoNameMustBeNew() throws Exception {
        RunStore store = RunStore.open(root);
        RunDir a = SidecarFixtures.writeRun(store, SidecarFixtures.gauntlet(7));
        RunMerger.Result r = RunMerger.merge(store, List.of(a.path()), "nightly-all");
        assertThat(r.created().id()).isEqualTo("nightly-all");
        assertThat(store.find("nightly-all")).isPresent();
        assertThat(RunDir.readMeta(r.created().path())).map(RunMeta::kernel).contains("6.12.117");
        assertThatThrownBy(() -> RunMerger.merge(store, List.of(a.path()), "nightly-all"))
                .hasMessageContaining("already exists");
    }

    static Set<String> variantSet(RunDir run) {
        return run.load().sidecars().stream().map(l -> VariantKey.fileName(l.sidecar())).collect(Collectors.toSet());
    }
}
