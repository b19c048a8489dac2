package dev.ktstr.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.local.LocalCluster;
import dev.ktstr.results.shards.ShardSuite;
import dev.ktstr.coordinator.testrun.KernelArtifacts;
import dev.ktstr.coordinator.testrun.TestEnvironment;
import dev.ktstr.coordinator.testrun.TestRun;
import dev.ktstr.coordinator.testrun.TestRunOptions;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.protocol.sidecar.HostContext;
import dev.ktstr.protocol.sidecar.VariantKey;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.FakeJobExecutor;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * "merge of two shard runs equals the unsharded run's variant set" with the real discovery, gauntlet
 * planner, partitioner, coordinator and sidecar writer ({@link TestRun}); only the VM is replaced
 * by the fake backend, so no QEMU is started.
 */
class ShardedRunMergeTest {
    @TempDir
    Path tmp;

    Path suite;
    Path root;
    KernelArtifacts kernel;

    @BeforeEach
    void suiteAndKernel() throws Exception {
        // a test root holding only ShardSuite, as `ktstr test DIR` would get it
        suite = tmp.resolve("suite");
        Path cls = suite.resolve(ShardSuite.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(cls.getParent());
        try (InputStream in = ShardSuite.class.getResourceAsStream("ShardSuite.class")) {
            Files.copy(Objects.requireNonNull(in, "ShardSuite.class on the test classpath"), cls);
        }
        Path image = tmp.resolve("bzImage");
        Files.writeString(image, "not a kernel: the fake backend only checks that it was shipped");
        kernel = new KernelArtifacts("kernel_6_12_117", "6.12.117", image, Optional.empty(), Optional.empty(), Optional.empty());
        root = tmp.resolve("runs");
    }

    /** The fake backend: every job passes (failPercent 0) or fails (100) after a few ms. */
    TestEnvironment env(int failPercent) {
        ArtifactCache cache = new ArtifactCache(tmp.resolve("cache"));
        return new TestEnvironment() {
            @Override public List<KernelArtifacts> kernels() { return List.of(kernel); }
            @Override public Optional<Path> findScheduler(String name, KernelArtifacts k) { return Optional.empty(); }
            @Override public String accelerator() { return "tcg"; }
            @Override public GauntletRun startLocal(int slots) {
                FakeJobExecutor exec = new FakeJobExecutor(new FakeJobExecutor.Settings(5, failPercent, null), cache);
                return LocalCluster.start(new LocalCluster.Config(exec, cache, 4,
                        c -> new WorkerCapacity(c.nodeId(), 64, 4, 2, 262_144, "tcg", c.cachedKernels(), false, 4)));
            }
        };
    }

    TestRun.Result run(String partition, int failPercent) throws Exception {
        TestRunOptions o = new TestRunOptions(List.of(suite), true, List.of(), null, partition, 2, false, false,
                root, 4, Duration.ofSeconds(60), "9e4d7fe", null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TestRun.Result r = new TestRun(o, env(failPercent), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(null);
        assertThat(r.runDir()).as("run dir; stderr:\n" + err.toString(StandardCharsets.UTF_8)).isNotNull();
        assertThat(r.outcomes()).as("outcomes; stderr:\n" + err).hasSize(r.planned().variants().size());
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("could not write the sidecar");
        return r;
    }

    /** Sidecar file name (test + variant identity hash) -> outcome. */
    static Map<String, String> variants(RunDir run) {
        LoadResult lr = run.load();
        assertThat(lr.problems()).isEmpty();
        return lr.sidecars().stream().collect(Collectors.toMap(l -> VariantKey.fileName(l.sidecar()),
                l -> l.sidecar().outcome(), (a, b) -> { throw new AssertionError("two sidecars for one variant"); }, TreeMap::new));
    }

    @Test
    @DisabledIfEnvironmentVariable(named = "KTSTR_BUDGET_SECS", matches = ".+",
            disabledReason = "KTSTR_BUDGET_SECS trims each shard on its own, so shards no longer add up to the unsharded run; unset it")
    void mergedShardsEqualTheUnshardedRunAndConflictingDuplicatesAreRefused() throws Exception {
        TestRun.Result all = run(null, 0);
        TestRun.Result s1 = run("hash:1/2", 0);
        TestRun.Result s2 = run("hash:2/2", 0);
        Map<String, String> unsharded = variants(all.runDir());
        Map<String, String> v1 = variants(s1.runDir());
        Map<String, String> v2 = variants(s2.runDir());
        assertThat(unsharded).hasSizeGreaterThanOrEqualTo(8).allSatisfy((k, v) -> assertThat(v).isEqualTo("passed"));
        assertThat(all.planned().variants()).anyMatch(v -> v.gauntlet()); // the planner expanded presets
        assertThat(v1).isNotEmpty();
        assertThat(v2).isNotEmpty();
        assertThat(v1.keySet()).doesNotContainAnyElementsOf(v2.keySet());

        RunStore store = RunStore.open(root);
        RunMerger.Result merged = RunMerger.merge(store, List.of(s1.runDir().path(), s2.runDir().path()), "shards-merged");
        assertThat(merged.variants()).isEqualTo(unsharded.size());
        assertThat(merged.duplicates()).isZero();
        assertThat(merged.skipped()).isEmpty();
        assertThat(variants(merged.created())).isEqualTo(unsharded);
        assertThat(merged.created().meta().mergedFrom()).containsExactly(s1.runDir().id(), s2.runDir().id());
        assertThat(merged.created().meta().kernel()).isEqualTo("6.12.117");

        // every sidecar TestRun wrote carries this host's context, probed once per run
        for (RunDir r : List.of(all.runDir(), s1.runDir(), s2.runDir())) {
            Set<HostContext> hosts = r.load().sidecars().stream().map(l -> l.sidecar().host()).collect(Collectors.toSet());
            assertThat(hosts).as("hosts of " + r.id()).hasSize(1).doesNotContainNull();
            assertThat(hosts.iterator().next().arch()).isEqualTo(System.getProperty("os.arch"));
        }

        // byte-identical copies (the merged run holds shard 1's files) are duplicates, not conflicts
        RunMerger.Result again = RunMerger.merge(store, List.of(merged.created().path(), s1.runDir().path()), null);
        assertThat(again.variants()).isEqualTo(unsharded.size());
        assertThat(again.duplicates()).isEqualTo(v1.size());

        // shard 1 rerun where every VM failed: the same variants with other results
        TestRun.Result s1failed = run("hash:1/2", 100);
        assertThat(variants(s1failed.runDir()).keySet()).isEqualTo(v1.keySet());
        int before = store.runs().size();
        assertThatThrownBy(() -> RunMerger.merge(store, List.of(s1.runDir().path(), s2.runDir().path(),
                s1failed.runDir().path()), "conflicted"))
                .isInstanceOf(RunMerger.MergeConflictException.class)
                .hasMessageContaining("refusing to merge: " + v1.size() + " variant(s)")
                .hasMessageContaining("passed")
                .hasMessageContaining(s1.runDir().path().toString())
                .hasMessageContaining(s1failed.runDir().path().toString());
        assertThat(Files.exists(root.resolve("conflicted"))).isFalse();
        assertThat(store.runs()).hasSize(before);
    }
}
