package dev.ktstr.vmm.kernel;

import static dev.ktstr.vmm.kernel.KernelFixtures.FRAGMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelCacheTest {

    @TempDir Path tmp;

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void rootFollowsTheEnvironmentChain() {
        assertThat(KernelCache.defaultRoot(Environment.of(Map.of("KTSTR_CACHE_DIR", "/c", "XDG_CACHE_HOME", "/x", "HOME", "/h"))))
                .isEqualTo(Path.of("/c/kernels"));
        assertThat(KernelCache.defaultRoot(Environment.of(Map.of("XDG_CACHE_HOME", "/x", "HOME", "/h"))))
                .isEqualTo(Path.of("/x/ktstr/kernels"));
        assertThat(KernelCache.defaultRoot(Environment.of(Map.of("KTSTR_CACHE_DIR", " ", "HOME", "/h"))))
                .isEqualTo(Path.of("/h/.cache/ktstr/kernels"));
        assertThatThrownBy(() -> KernelCache.defaultRoot(Environment.of(Map.of("HOME", ""))))
                .isInstanceOf(KernelException.class).hasMessageContaining("HOME is unset").hasMessageContaining("KTSTR_CACHE_DIR");
    }

    @Test
    void fragmentHashIsTheCrcOfItsText() {
        assertThat(FRAGMENT.hash()).matches("[0-9a-f]{8}");
        assertThat(new KconfigFragment(KernelFixtures.FRAGMENT_TEXT + "CONFIG_X=y\n").hash()).isNotEqualTo(FRAGMENT.hash());
        // the real fragment is embedded in the jar and demands sched_ext
        assertThat(KconfigFragment.embedded().text()).contains("CONFIG_SCHED_CLASS_EXT=y");
    }

    @Test
    void storeIsAtomicAndRecordsSizes() throws IOException {
        KernelCache cache = new KernelCache(tmp, FRAGMENT);
        CacheEntry e = KernelFixtures.storeEntry(cache, "6.12.3-tarball-x86_64-kc" + FRAGMENT.hash(), "6.12.3", T0, FRAGMENT);
        assertThat(e.usable()).as(e.tag()).isTrue();
        assertThat(e.metadata().get().files()).containsEntry("bzImage", (long) ("bz-" + e.key()).length()).containsKey("scx/scx_simple");
        assertThat(leftovers()).isEmpty();
        // the JSON on disk uses snake_case and a typed source
        String json = Files.readString(e.dir().resolve("metadata.json"));
        assertThat(json).contains("\"ktstr_kconfig_hash\"", "\"type\" : \"tarball\"", "\"schema_version\" : 1");
    }

    @Test
    void discardedStagingLeavesNothing() throws IOException {
        KernelCache cache = new KernelCache(tmp, FRAGMENT);
        try (EntryLock l = cache.lock("k"); KernelCache.Staging st = cache.beginStore("k")) {
            Files.writeString(st.dir().resolve("bzImage"), "partial");
            // no commit: as if the build failed half way
        }
        assertThat(cache.list()).isEmpty();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void storingRequiresTheLock() {
        KernelCache cache = new KernelCache(tmp, FRAGMENT);
        assertThatThrownBy(() -> cache.beginStore("k")).isInstanceOf(IllegalStateException.class).hasMessageContaining("locked");
    }

    @Test
    void recommitReplacesTheEntry() throws IOException {
        KernelCache cache = new KernelCache(tmp, FRAGMENT);
        KernelFixtures.storeEntry(cache, "k", "6.12.3", T0, FRAGMENT);
        KernelFixtures.storeEntry(cache, "k", "6.12.4", T0.plusSeconds(5), FRAGMENT);
        assertThat(cache.list()).singleElement().satisfies(e -> assertThat(e.version()).contains("6.12.4"));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void sweepRemovesLeftoversOfDeadProcessesOnly() throws Exception {
        KernelCache cache = new KernelCache(tmp, FRAGMENT);
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long dead = p.pid();
        long alive = ProcessHandle.current().pid();
        Files.createDirectories(tmp.resolve(".tmp-6.12.3-tarball-x86_64-kc1-" + dead).resolve("scx"));
        Files.createDirectories(tmp.resolve(".build/6.12.3-tarball-x86_64-kc1-" + dead + "/linux"));
        Files.createDirectories(tmp.resolve(".tmp-other-" + alive));
        List<Path> removed = cache.sweepLeftovers();
        assertThat(removed).hasSize(2);
        assertThat(tmp.resolve(".tmp-other-" + alive)).isDirectory();
        assertThat(cache.list()).isEmpty();
    }

    @Test
    void listIsNewestFirstAndLookupsSkipStaleAndCorrupt() throws IOException {
        KernelCache cache = new KernelCache(tmp, FRAGMENT);
        KernelFixtures.storeEntry(cache, "old", "6.12.1", T0, FRAGMENT);
        KernelFixtures.storeEntry(cache, "new", "6.12.2", T0.plusSeconds(60), FRAGMENT);
        KernelFixtures.storeEntry(cache, "stale", "6.12.9", T0.plusSeconds(120), new KconfigFragment("CONFIG_OLD=y\n"));
        Files.createDirectories(tmp.resolve("broken"));
        assertThat(cache.list()).extracting(CacheEntry::key).startsWith("broken", "stale", "new", "old");
        assertThat(cache.newestUsable()).get().extracting(CacheEntry::key).isEqualTo("new");
        assertThat(cache.get("stale").get().stale()).isTrue();
        assertThat(cache.get("stale").get().tag()).isEqualTo("(stale kconfig)");
        assertThat(cache.newestForVersion(KernelVersion.parse("6.12"))).get().extracting(CacheEntry::key).isEqualTo("new");
        assertThat(cache.newestForVersion(KernelVersion.parse("6.12.1"))).get().extracting(CacheEntry::key).isEqualTo("old");
        assertThat(cache.newestForVersion(KernelVersion.parse("6.12.9"))).isEmpty(); // only a stale one exists
        assertThat(cache.newestForVersion(KernelVersion.parse("6.13"))).isEmpty();
    }

    @Test
    void everyKindOfCorruptionIsReported() throws IOException {
        KernelCache cache = new KernelCache(tmp, FRAGMENT);
        Files.createDirectories(tmp.resolve("missing"));
        Path unreadable = Files.createDirectories(tmp.resolve("unreadable"));
        Files.createDirectories(unreadable.resolve("metadata.json")); // reading a directory fails even as root
        KernelFixtures.write(tmp.resolve("parse/metadata.json"), "{ not json");
        KernelFixtures.write(tmp.resolve("notobject/metadata.json"), "[1,2]");
        KernelFixtures.write(tmp.resolve("drift/metadata.json"), "{\"schema_version\": 99, \"version\": \"6.12\"}");
        KernelFixtures.write(tmp.resolve("malformed/metadata.json"), "{\"schema_version\": 1, \"version\": \"6.12\"}");
        KernelFixtures.write(tmp.resolve("badtype/metadata.json"), "{\"schema_version\": 1, \"files\": \"nope\"}");
        CacheEntry image = KernelFixtures.storeEntry(cache, "noimage", "6.12.3", T0, FRAGMENT);
        Files.delete(image.dir().resolve("bzImage"));
        CacheEntry vml = KernelFixtures.storeEntry(cache, "novmlinux", "6.12.3", T0, FRAGMENT);
        Files.delete(vml.dir().resolve("vmlinux"));
        CacheEntry trunc = KernelFixtures.storeEntry(cache, "truncated", "6.12.3", T0, FRAGMENT);
        Files.writeString(trunc.dir().resolve("System.map"), "ffff");
        CacheEntry gone = KernelFixtures.storeEntry(cache, "lostfile", "6.12.3", T0, FRAGMENT);
        Files.delete(gone.dir().resolve("scx/scx_simple"));

        Map<String, CacheErrorKind> expected = Map.ofEntries(
                Map.entry("missing", CacheErrorKind.MISSING), Map.entry("unreadable", CacheErrorKind.UNREADABLE),
                Map.entry("parse", CacheErrorKind.PARSE_ERROR), Map.entry("notobject", CacheErrorKind.MALFORMED),
                Map.entry("drift", CacheErrorKind.SCHEMA_DRIFT), Map.entry("malformed", CacheErrorKind.MALFORMED),
                Map.entry("badtype", CacheErrorKind.MALFORMED), Map.entry("noimage", CacheErrorKind.IMAGE_MISSING),
                Map.entry("novmlinux", CacheErrorKind.IMAGE_MISSING), Map.entry("truncated", CacheErrorKind.TRUNCATED),
                Map.entry("lostfile", CacheErrorKind.TRUNCATED));
        List<CacheEntry> all = cache.list();
        assertThat(all).hasSize(expected.size());
        for (CacheEntry e : all) {
            assertThat(e.errorKind()).as(e.key() + " " + e.problem()).contains(expected.get(e.key()));
            assertThat(e.usable()).isFalse();
            assertThat(e.tag()).startsWith("(corrupt: " + expected.get(e.key()).id());
        }
        assertThat(cache.get("malformed").get().problem()).contains("source", "arch", "image_name");
        assertThat(cache.get("truncated").get().problem()).contains("System.map has 4 bytes");
        assertThat(cache.newestUsable()).isEmpty();
    }

    @Test
    void cleanPlanKeepsTheNewestValidEntries() throws IOException {
        KernelCache cache = new KernelCache(tmp, FRAGMENT);
        for (int i = 0; i < 4; i++) KernelFixtures.storeEntry(cache, "e" + i, "6.12." + i, T0.plusSeconds(i), FRAGMENT);
        KernelFixtures.storeEntry(cache, "stale", "6.11.1", T0.plusSeconds(10), new KconfigFragment("x"));
        Files.createDirectories(tmp.resolve("corrupt"));
        List<CacheEntry> all = cache.list(); // corrupt (mtime now), stale, e3, e2, e1, e0
        assertThat(keys(KernelCache.planClean(all, OptionalInt.of(2), false))).containsExactlyInAnyOrder("corrupt", "e2", "e1", "e0");
        assertThat(keys(KernelCache.planClean(all, OptionalInt.of(0), false))).hasSize(6);
        assertThat(keys(KernelCache.planClean(all, OptionalInt.of(10), false))).containsExactly("corrupt");
        assertThat(keys(KernelCache.planClean(all, OptionalInt.empty(), true))).containsExactly("corrupt");
        assertThat(keys(KernelCache.planClean(all, OptionalInt.empty(), false))).hasSize(6);
        assertThatThrownBy(() -> KernelCache.planClean(all, OptionalInt.of(1), true)).hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> KernelCache.planClean(all, OptionalInt.of(-1), false)).hasMessageContaining("--keep");

        try (EntryLock l = cache.lock("e0")) {
            cache.remove("e0");
        }
        assertThat(cache.get("e0")).isEmpty();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void locksAreReentrantPerThreadAndExclusiveAcrossThreads() throws Exception {
        KernelCache cache = new KernelCache(tmp, FRAGMENT);
        try (EntryLock a = cache.lock("k"); EntryLock b = cache.lock("k")) {
            Boolean[] otherGotIt = new Boolean[1];
            Thread t = new Thread(() -> otherGotIt[0] = cache.tryLock("k").map(l -> { l.close(); return true; }).orElse(false));
            t.start();
            t.join();
            assertThat(otherGotIt[0]).isFalse();
        }
        assertThat(cache.tryLock("k")).hasValueSatisfying(EntryLock::close);
        assertThatThrownBy(() -> cache.lock("../evil")).hasMessageContaining("invalid cache key");
    }

    private static List<String> keys(List<CacheEntry> es) {
        return es.stream().map(CacheEntry::key).toList();
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".tmp-") || p.getFileName().toString().startsWith(".old-")).toList();
        }
    }
}
