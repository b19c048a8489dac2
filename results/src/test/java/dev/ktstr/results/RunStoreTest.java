package dev.ktstr.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.sidecar.RunMeta;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStoreTest {
    @TempDir
    Path root;

    @Test
    void twoRunsMakeTwoDirectoriesAndKeepHistory() throws Exception {
        RunStore store = RunStore.open(root);
        RunDir r1 = SidecarFixtures.writeRun(store, SidecarFixtures.gauntlet(1));
        RunDir r2 = SidecarFixtures.writeRun(store, SidecarFixtures.gauntlet(2));
        assertThat(r1.id()).isNotEqualTo(r2.id()).matches("\\d{8}T\\d{6}Z-6\\.12\\.117-9e4d7fe-[0-9a-f]{4}");
        assertThat(store.runs()).extracting(RunDir::id).containsExactlyInAnyOrder(r1.id(), r2.id());
        assertThat(r1.load().sidecars()).hasSize(6);
        assertThat(r2.load().sidecars()).hasSize(6);
        assertThat(r1.load().sidecars()).allSatisfy(l -> assertThat(l.sidecar().runId()).isEqualTo(r1.id()));
        RunMeta meta = SidecarCodec.mapper().readValue(r1.path().resolve("run.json").toFile(), RunMeta.class);
        assertThat(meta.kernel()).isEqualTo("6.12.117");
        assertThat(meta.commit()).isEqualTo("9e4d7fe");
    }

    @Test
    void latestIsAQueryByKernelAndCommit() throws Exception {
        RunStore store = RunStore.open(root);
        RunDir old = store.newRun(new RunInfo("6.12.117", "aaaaaaa", "local", Instant.parse("2026-01-01T00:00:00Z")));
        RunDir newer = store.newRun(new RunInfo("6.12.117", "aaaaaaa", "local", Instant.parse("2026-02-01T00:00:00Z")));
        RunDir other = store.newRun(new RunInfo("6.11.2", "bbbbbbb", "local", Instant.parse("2026-03-01T00:00:00Z")));
        assertThat(store.latest("6.12.117", "aaaaaaa")).map(RunDir::id).contains(newer.id());
        assertThat(store.latest("6.12.117", null)).map(RunDir::id).contains(newer.id());
        assertThat(store.latest("6.11.2", "aaaaaaa")).isEmpty();
        assertThat(store.newest()).map(RunDir::id).contains(other.id());
        assertThat(store.runs()).extracting(RunDir::id).containsExactly(other.id(), newer.id(), old.id());
        assertThat(store.find(old.id().substring(0, 12))).map(RunDir::id).contains(old.id());
    }

    @Test
    void logsGoNextToTheSidecarAndAreNeverOverwritten() throws Exception {
        RunDir run = RunStore.open(root).newRun(RunInfo.of("6.12.117", null));
        Path sidecar = run.write(SidecarFixtures.variant("t", "1n1l2c1t", 1));
        java.util.Map<String, String> sections = new java.util.LinkedHashMap<>();
        sections.put("scheduler output", "EXIT: runnable task stall\n");
        sections.put("guest agent log", "  ");
        sections.put("guest console", "[    0.1] booting");
        Path log = run.writeLog(sidecar, sections);
        assertThat(log.getFileName().toString()).isEqualTo(sidecar.getFileName().toString().replace(".ktstr.json", ".log"));
        assertThat(Files.readString(log)).isEqualTo("===== scheduler output =====\nEXIT: runnable task stall\n"
                + "===== guest console =====\n[    0.1] booting\n");
        assertThatThrownBy(() -> run.writeLog(sidecar, java.util.Map.of("x", "y"))).isInstanceOf(SidecarConflictException.class);
        assertThat(run.load().problems()).isEmpty();
        assertThat(leftovers(run.path())).isEmpty();
    }

    @Test
    void secondWriteOfAVariantIsRefusedAndLeavesTheFirst() throws Exception {
        RunDir run = RunStore.open(root).newRun(RunInfo.of("6.12.117", null));
        Sidecar s = SidecarFixtures.variant("t", "1n1l2c1t", 1);
        Path p = run.write(s);
        byte[] before = Files.readAllBytes(p);
        assertThatThrownBy(() -> run.write(s.toBuilder().failed("retry").build()))
                .isInstanceOf(SidecarConflictException.class).hasMessageContaining("already has a sidecar")
                .hasMessageContaining("new run");
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
        assertThat(leftovers(run.path())).isEmpty();
        assertThat(run.id()).contains("-unknown-");
    }

    @Test
    void concurrentWritersNeverOverwriteAndLeaveNoTempFiles() throws Exception {
        RunDir run = RunStore.open(root).newRun(RunInfo.of("6.12.117", "9e4d7fe"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int n = i;
            results.add(pool.submit(() -> {
                go.await();
                // half the writers race on one variant, the rest write distinct ones
                Sidecar s = SidecarFixtures.variant(n % 2 == 0 ? "same" : "t" + n, "1n1l2c1t", n);
                try {
                    run.write(s);
                    return true;
                } catch (SidecarConflictException e) {
                    return false;
                }
            }));
        }
        go.countDown();
        int ok = 0;
        for (Future<Boolean> f : results) {
            ok += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(9); // 8 distinct + exactly one winner of the race
        LoadResult lr = run.load();
        assertThat(lr.sidecars()).hasSize(9);
        assertThat(lr.problems()).isEmpty();
        assertThat(leftovers(run.path())).isEmpty();
    }

    @Test
    void skippedAndFailedVariantsWriteSidecarsWithTheReason() throws Exception {
        RunDir run = RunStore.open(root).newRun(RunInfo.of("6.12.117", "9e4d7fe"));
        run.write(Sidecar.builder("needs_numa").topology("2n2l2c1t").skipped("topology needs 2 NUMA nodes; worker has 1").build());
        run.write(Sidecar.builder("boot_fail").topology("1n1l2c1t").failed("guest crashed: Kernel panic").build());
        LoadResult lr = run.load();
        assertThat(lr.sidecars()).extracting(l -> l.sidecar().outcome() + ":" + l.sidecar().reason())
                .containsExactlyInAnyOrder("skipped:topology needs 2 NUMA nodes; worker has 1",
                        "failed:guest crashed: Kernel panic");
    }

    @Test
    void corruptTruncatedAndForeignFilesAreReportedAndSkipped() throws Exception {
        RunDir run = SidecarFixtures.writeRun(RunStore.open(root), SidecarFixtures.gauntlet(3));
        Path good = run.sidecarFiles().get(0);
        byte[] bytes = Files.readAllBytes(good);
        Files.write(run.path().resolve("trunc-0000.ktstr.json"), java.util.Arrays.copyOf(bytes, bytes.length / 3));
        Files.writeString(run.path().resolve("foreign.ktstr.json"), "{\"name\":\"left-pad\",\"version\":\"1.3.0\"}");
        Files.write(run.path().resolve("garbage.ktstr.json"), new byte[] {0, 1, 2, (byte) 0xff});
        Files.writeString(run.path().resolve("notes.json"), "not a sidecar, not even looked at");
        LoadResult lr = run.load();
        assertThat(lr.sidecars()).hasSize(6);
        assertThat(lr.walked()).isEqualTo(9);
        assertThat(lr.problems()).hasSize(3).allSatisfy(p -> assertThat(p.message()).startsWith(p.path().toString()));
        assertThat(lr.problems()).extracting(LoadProblem::message).anyMatch(m -> m.contains("truncated"))
                .anyMatch(m -> m.contains("schema_version"));
    }

    private static List<Path> leftovers(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @SuppressWarnings("unused")
    private static String str(Path p) throws Exception {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
