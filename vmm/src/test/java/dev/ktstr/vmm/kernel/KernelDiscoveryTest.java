package dev.ktstr.vmm.kernel;

import static dev.ktstr.vmm.kernel.KernelFixtures.FRAGMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelDiscoveryTest {

    @TempDir Path tmp;
    Path cacheRoot;
    Path host;
    Path work;
    Map<String, String> env;
    KernelCache cache;
    static final String REL = "6.1.0-test-amd64";

    @BeforeEach
    void setUp() throws IOException {
        cacheRoot = tmp.resolve("cache");
        host = Files.createDirectories(tmp.resolve("host"));
        work = Files.createDirectories(tmp.resolve("src/project"));
        env = new HashMap<>();
        env.put("KTSTR_CACHE_DIR", cacheRoot.toString());
        env.put("HOME", tmp.resolve("home").toString());
        cache = new KernelCache(cacheRoot.resolve("kernels"), FRAGMENT);
    }

    private KernelDiscovery discovery() {
        return new KernelDiscovery(Environment.of(env), () -> cache, work, REL, host, Arch.X86_64);
    }

    private ResolvedKernel implicit() {
        return discovery().resolve(Optional.empty());
    }

    @Test
    void nothingAnywhereListsEveryPlaceAndTheFix() {
        assertThatThrownBy(this::implicit).isInstanceOf(NoKernelFoundException.class)
                .hasMessageContaining("KTSTR_TEST_KERNEL: unset")
                .hasMessageContaining("KTSTR_KERNEL: unset")
                .hasMessageContaining("kernel cache " + cache.root() + ": empty")
                .hasMessageContaining(work.resolve("linux/arch/x86/boot/bzImage").toString())
                .hasMessageContaining(tmp.resolve("src/linux/arch/x86/boot/bzImage").toString())
                .hasMessageContaining(host.resolve("lib/modules/" + REL + "/build/arch/x86/boot/bzImage").toString())
                .hasMessageContaining(host.resolve("lib/modules/" + REL + "/vmlinuz").toString())
                .hasMessageContaining(host.resolve("boot/vmlinuz-" + REL).toString())
                .hasMessageContaining(host.resolve("boot/vmlinuz").toString())
                .hasMessageContaining("bin/ktstr kernel build");
        assertThat(((NoKernelFoundException) catchIt()).tried()).hasSize(9);
    }

    private Throwable catchIt() {
        try {
            implicit();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void chainOrderEachLevelShadowsTheNext() throws IOException {
        // lowest first: /boot/vmlinuz-R with a sched_ext config
        KernelFixtures.write(host.resolve("boot/vmlinuz-" + REL), "bz");
        KernelFixtures.write(host.resolve("boot/config-" + REL), KernelFixtures.config(REL, true, false));
        KernelFixtures.write(host.resolve("boot/System.map-" + REL), "map");
        ResolvedKernel k = implicit();
        assertThat(k.bootImage()).isEqualTo(host.resolve("boot/vmlinuz-" + REL));
        assertThat(k.pvh()).isFalse();
        assertThat(k.systemMap()).contains(host.resolve("boot/System.map-" + REL));
        assertThat(k.version()).contains(REL);

        KernelFixtures.tree(tmp.resolve("src/linux"), null);
        assertThat(implicit().source()).isEqualTo("kernel tree " + tmp.resolve("src/linux"));

        KernelFixtures.tree(work.resolve("linux"), KernelFixtures.config("6.12.3", true, true));
        ResolvedKernel dot = implicit();
        assertThat(dot.source()).isEqualTo("kernel tree " + work.resolve("linux"));
        assertThat(dot.bootImage()).isEqualTo(work.resolve("linux/vmlinux"));
        assertThat(dot.pvh()).isTrue();
        assertThat(dot.bzImage()).contains(work.resolve("linux/arch/x86/boot/bzImage"));
        assertThat(dot.version()).contains("6.12.3");
        assertThat(dot.label()).matches("kernel_path_linux_[0-9a-f]{6}");

        KernelFixtures.storeEntry(cache, "6.12.3-tarball-x86_64-kc" + FRAGMENT.hash(), "6.12.3", Instant.parse("2026-01-01T00:00:00Z"), FRAGMENT);
        ResolvedKernel cached = implicit();
        assertThat(cached.cacheKey()).contains("6.12.3-tarball-x86_64-kc" + FRAGMENT.hash());
        assertThat(cached.label()).isEqualTo("kernel_6_12_3");
        assertThat(cached.bootImage().getFileName().toString()).isEqualTo("vmlinux");
        assertThat(cached.btf()).isPresent();
        assertThat(cached.scheduler("scx_simple")).isPresent();
        assertThat(cached.scheduler("scx_qmap")).isEmpty();

        Path flat = Files.createDirectories(tmp.resolve("flat"));
        KernelFixtures.write(flat.resolve("bzImage"), "bz");
        env.put("KTSTR_KERNEL", flat.toString());
        assertThat(implicit().bootImage()).isEqualTo(flat.resolve("bzImage"));

        Path img = KernelFixtures.write(tmp.resolve("direct/bzImage"), "bz");
        env.put("KTSTR_TEST_KERNEL", img.toString());
        ResolvedKernel direct = implicit();
        assertThat(direct.bootImage()).isEqualTo(img);
        assertThat(direct.source()).isEqualTo("KTSTR_TEST_KERNEL=" + img);
        assertThat(direct.label()).matches("kernel_path_direct_[0-9a-f]{6}");
    }

    @Test
    void implicitDiscoverySkipsKernelsWithoutSchedExt() throws IOException {
        KernelFixtures.write(host.resolve("boot/vmlinuz-" + REL), "bz");
        KernelFixtures.write(host.resolve("boot/config-" + REL), KernelFixtures.config(REL, false, false));
        assertThatThrownBy(this::implicit).isInstanceOf(NoKernelFoundException.class)
                .hasMessageContaining("skipped").hasMessageContaining("no CONFIG_SCHED_CLASS_EXT");
        // named explicitly, it is taken as asked
        assertThat(discovery().resolve(Optional.of(host.resolve("boot/vmlinuz-" + REL).toString())).bootImage())
                .isEqualTo(host.resolve("boot/vmlinuz-" + REL));
    }

    @Test
    void staleAndCorruptCacheEntriesAreNotDiscovered() throws IOException {
        KernelFixtures.storeEntry(cache, "stale", "6.12.3", Instant.parse("2026-01-01T00:00:00Z"), new KconfigFragment("old"));
        Files.createDirectories(cache.root().resolve("corrupt"));
        assertThatThrownBy(this::implicit).isInstanceOf(NoKernelFoundException.class)
                .hasMessageContaining("2 entries, none usable (1 stale kconfig, 1 corrupt)");
    }

    @Test
    void cacheUnavailableIsReportedNotFatal() {
        KernelDiscovery d = new KernelDiscovery(Environment.of(Map.of()), () -> KernelCache.open(Environment.of(Map.of())),
                work, REL, host, Arch.X86_64);
        assertThatThrownBy(() -> d.resolve(Optional.empty())).isInstanceOf(NoKernelFoundException.class)
                .hasMessageContaining("kernel cache: unavailable").hasMessageContaining("HOME is unset");
    }

    @Test
    void ktstrKernelVersionAndKeyLookups() throws IOException {
        String key = "6.12.3-tarball-x86_64-kc" + FRAGMENT.hash();
        KernelFixtures.storeEntry(cache, key, "6.12.3", Instant.parse("2026-01-01T00:00:00Z"), FRAGMENT);
        env.put("KTSTR_KERNEL", "6.12");
        assertThat(implicit().cacheKey()).contains(key);
        env.put("KTSTR_KERNEL", key);
        assertThat(implicit().cacheKey()).contains(key);
        env.put("KTSTR_KERNEL", "6.13");
        assertThatThrownBy(this::implicit).hasMessageContaining("KTSTR_KERNEL=6.13")
                .hasMessageContaining("not in the kernel cache").hasMessageContaining("bin/ktstr kernel build 6.13");
        env.put("KTSTR_KERNEL", "no-such-key");
        assertThatThrownBy(this::implicit).hasMessageContaining("no cache entry 'no-such-key'").hasMessageContaining(key);
        Files.createDirectories(cache.root().resolve("broken-key"));
        env.put("KTSTR_KERNEL", "broken-key");
        assertThatThrownBy(this::implicit).hasMessageContaining("corrupt (missing").hasMessageContaining("clean --corrupt-only");
    }

    @Test
    void explicitPathsResolveOrFailNamingThePath() throws IOException {
        assertThatThrownBy(() -> discovery().resolve(Optional.of("./nope"))).isInstanceOf(KernelException.class)
                .hasMessageContaining("kernel path " + work.resolve("nope") + " does not exist");
        KernelFixtures.tree(work.resolve("linux"), null);
        assertThat(discovery().resolve(Optional.of("./linux")).bootImage()).isEqualTo(work.resolve("linux/vmlinux"));
        assertThat(discovery().resolve(Optional.of("./linux/arch/x86/boot/bzImage")).source()).contains("./linux/arch/x86/boot/bzImage");
        Path unbuilt = Files.createDirectories(work.resolve("unbuilt"));
        KernelFixtures.write(unbuilt.resolve("Makefile"), "VERSION = 6\nPATCHLEVEL = 12\n");
        KernelFixtures.write(unbuilt.resolve("Kconfig"), "");
        assertThatThrownBy(() -> discovery().resolve(Optional.of("./unbuilt"))).hasMessageContaining("has no arch/x86/boot/bzImage")
                .hasMessageContaining("kernel build --source");
        Files.createDirectories(work.resolve("empty"));
        assertThatThrownBy(() -> discovery().resolve(Optional.of("./empty"))).hasMessageContaining("neither a kernel tree");
        KernelFixtures.write(tmp.resolve("home/k/bzImage"), "bz");
        assertThat(discovery().resolve(Optional.of("~/k")).bootImage()).isEqualTo(tmp.resolve("home/k/bzImage"));
        assertThatThrownBy(() -> discovery().resolve(Optional.of("6.12..6.14"))).hasMessageContaining("range");
        assertThatThrownBy(() -> discovery().resolve(Optional.of("git+https://x/linux.git#v6.12"))).hasMessageContaining("git");
    }

    @Test
    void bootImagePrefersThePvhElfUnlessTheConfigRulesItOut() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("k"));
        KernelFixtures.write(dir.resolve("bzImage"), "bz");
        KernelFixtures.writeBytes(dir.resolve("vmlinux"), KernelFixtures.ELF_HEADER);
        ResolvedKernel k = KernelDiscovery.fromImage(dir.resolve("bzImage"), "t", Arch.X86_64);
        assertThat(k.bootImage()).isEqualTo(dir.resolve("vmlinux"));
        assertThat(k.pvh()).isTrue();
        assertThat(k.bzImage()).contains(dir.resolve("bzImage"));

        KernelFixtures.write(dir.resolve("config"), KernelFixtures.config("6.12.3", true, false));
        ResolvedKernel noPvh = KernelDiscovery.fromImage(dir.resolve("bzImage"), "t", Arch.X86_64);
        assertThat(noPvh.bootImage()).isEqualTo(dir.resolve("bzImage"));
        assertThat(noPvh.pvh()).isFalse();
        assertThat(noPvh.vmlinux()).contains(dir.resolve("vmlinux"));

        // a "vmlinux" that is not an ELF (e.g. a compressed file misnamed) is never booted as PVH
        Files.writeString(dir.resolve("vmlinux"), "not elf");
        Files.delete(dir.resolve("config"));
        assertThat(KernelDiscovery.fromImage(dir.resolve("bzImage"), "t", Arch.X86_64).bootImage()).isEqualTo(dir.resolve("bzImage"));
    }

    @Test
    void severalKernelsResolveUpFrontWithDistinctLabels() throws IOException {
        KernelFixtures.storeEntry(cache, "6.12.3-tarball-x86_64-kc" + FRAGMENT.hash(), "6.12.3", Instant.parse("2026-01-01T00:00:00Z"), FRAGMENT);
        KernelFixtures.tree(work.resolve("linux"), null);
        var all = discovery().resolveAll(java.util.List.of("6.12,./linux", "6.12.3"));
        assertThat(all).extracting(ResolvedKernel::label).hasSize(2).doesNotHaveDuplicates().first().isEqualTo("kernel_6_12_3");
        assertThatThrownBy(() -> discovery().resolveAll(java.util.List.of("./linux", "6.14"))).hasMessageContaining("6.14");
        assertThat(discovery().resolveAll(java.util.List.of())).singleElement()
                .satisfies(k -> assertThat(k.cacheKey()).isPresent());
    }
}
