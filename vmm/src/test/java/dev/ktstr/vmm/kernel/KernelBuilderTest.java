package dev.ktstr.vmm.kernel;

import dev.ktstr.protocol.kernel.KernelLabel;
import static dev.ktstr.vmm.kernel.KernelFixtures.FRAGMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the real builder (real make, tar, strip, objcopy) against a fake kernel tree whose Makefile targets
 * produce the files a kernel build produces, in seconds.
 */
class KernelBuilderTest {

    @TempDir Path tmp;
    KernelCache cache;
    List<String> out;
    KernelBuilder builder;
    Path usrSrc;

    static final String KERNEL_MAKEFILE = String.join("\n",
            "VERSION = 6", "PATCHLEVEL = 12", "SUBLEVEL = 99", "EXTRAVERSION =", "",
            ".PHONY: defconfig kvm_guest.config olddefconfig vmlinux bzImage",
            "defconfig:", "\t@echo 'CONFIG_DEFCONFIG=y' > .config",
            "kvm_guest.config:", "\t@echo 'CONFIG_KVM_GUEST=y' >> .config",
            "olddefconfig:", "\t@if [ -f drop-option ]; then sed -i \"/^CONFIG_$$(cat drop-option)=/d\" .config; fi",
            "vmlinux:",
            "\t@if [ -f fail-build ]; then echo '  CC      kernel/broken.o'; echo 'kernel/broken.c:1: error: boom'; exit 2; fi",
            "\t@echo '  CC      kernel/a.o'", "\t@echo '  CC      kernel/b.o'", "\t@echo '  AS      arch/x86/entry/entry_64.o'",
            "\t@echo '  LD      vmlinux.o'", "\t@echo '  BTF     .btf.vmlinux.bin.o'",
            "\t@printf 'BTFDATA' > btf.bin",
            "\t@objcopy --add-section .BTF=btf.bin --set-section-flags .BTF=alloc,readonly,data /bin/true vmlinux 2>/dev/null",
            "\t@echo 'ffffffff81000000 T _text' > System.map",
            "bzImage: vmlinux",
            "\t@mkdir -p arch/x86/boot && printf 'BZIMAGE' > arch/x86/boot/bzImage",
            "\t@echo 'Kernel: arch/x86/boot/bzImage is ready  (#1)'", "");

    static final String SCX_MAKEFILE = String.join("\n",
            "all:",
            "\t@if [ -f ../../fail-scx ]; then echo 'scx: clang exploded'; exit 1; fi",
            "\t@mkdir -p build/bin",
            "\t@for s in scx_simple scx_qmap scx_central scx_flatcg; do printf '#!/bin/sh\\n' > build/bin/$$s; chmod +x build/bin/$$s; done",
            // the fixture's own make (c-sched-targets=scx_ktstr scx_ktstr): fails on demand, independently of the four
            "scx_ktstr:",
            "\t@test -f scx_ktstr.bpf.c && test -f scx_ktstr.c || { echo 'fixture sources not installed'; exit 1; }",
            "\t@if [ -f ../../fail-fixture ]; then echo 'scx_ktstr.bpf.c:1: error: fixture broke'; exit 1; fi",
            "\t@mkdir -p build/bin && printf '#!/bin/sh\\n' > build/bin/scx_ktstr && chmod +x build/bin/scx_ktstr",
            "");

    @BeforeEach
    void setUp() throws IOException {
        cache = new KernelCache(tmp.resolve("cache"), FRAGMENT);
        out = Collections.synchronizedList(new ArrayList<>());
        usrSrc = Files.createDirectories(tmp.resolve("usr-src"));
        builder = new KernelBuilder(cache, Arch.X86_64, out::add).sourceDir(usrSrc).heartbeat(Duration.ofMillis(20))
                .clangCandidates(List.of("sh")); // the fake scx Makefile ignores CLANG; any binary on PATH will do
    }

    static Path fakeTree(Path dir) throws IOException {
        KernelFixtures.write(dir.resolve("Makefile"), KERNEL_MAKEFILE);
        KernelFixtures.write(dir.resolve("Kconfig"), "# fake\n");
        KernelFixtures.write(dir.resolve("tools/sched_ext/Makefile"), SCX_MAKEFILE);
        return dir;
    }

    private Path fakeTarball() throws Exception {
        fakeTree(tmp.resolve("pkg/linux-source-6.12"));
        Path tarball = usrSrc.resolve("linux-source-6.12.tar.xz");
        Process p = new ProcessBuilder("tar", "-cJf", tarball.toString(), "-C", tmp.resolve("pkg").toString(), "linux-source-6.12")
                .inheritIO().start();
        assertThat(p.waitFor()).isZero();
        return tarball;
    }

    private static KernelBuilder.Request req(String version, Path source, boolean force) {
        return new KernelBuilder.Request(Optional.ofNullable(version), Optional.ofNullable(source), force, 2);
    }

    @Test
    void tarballBuildStoresACompleteEntryAndThenHitsTheCache() throws Exception {
        Path tarball = fakeTarball();
        KernelSourceSpec src = builder.chooseSource(req(null, null, false));
        assertThat(src).isEqualTo(new KernelSourceSpec.TarballFile(tarball, "6.12.99"));
        String expectedKey = "6.12.99-tarball-x86_64-kc" + FRAGMENT.hash();
        assertThat(builder.keyFor(src)).isEqualTo(expectedKey);

        KernelBuilder.Result r = builder.build(req(null, null, false));
        assertThat(r.cached()).isFalse();
        assertThat(r.key()).isEqualTo(expectedKey);
        assertThat(r.warnings()).isEmpty();
        CacheEntry e = r.entry();
        assertThat(e.usable()).as(e.tag()).isTrue();
        Path d = e.dir();
        assertThat(KernelDiscovery.isElf(d.resolve("vmlinux"))).isTrue();
        assertThat(Files.readString(d.resolve("vmlinux.btf"))).isEqualTo("BTFDATA");
        assertThat(Files.readString(d.resolve("bzImage"))).isEqualTo("BZIMAGE");
        assertThat(d.resolve("System.map")).isRegularFile();
        assertThat(Files.readString(d.resolve("config"))).contains("CONFIG_DEFCONFIG=y", "CONFIG_KVM_GUEST=y", "CONFIG_SCHED_CLASS_EXT=y");
        for (String s : KernelBuilder.SCX_SCHEDULERS) assertThat(Files.isExecutable(d.resolve("scx").resolve(s))).as(s).isTrue();
        assertThat(d.resolve("build.log")).content().contains("CC      kernel/a.o");
        KernelMetadata md = e.metadata().get();
        assertThat(md.version()).isEqualTo("6.12.99");
        assertThat(md.source()).isEqualTo(new KernelSourceInfo.Tarball(tarball.toString()));
        assertThat(md.schedulers()).containsExactlyInAnyOrder("scx_simple", "scx_qmap", "scx_central", "scx_flatcg", FixtureScheduler.NAME);
        assertThat(md.compiledObjects()).isEqualTo(3);
        assertThat(md.buildSeconds()).isBetween(0L, 120L);
        assertThat(md.sourceVmlinuxSize()).isPositive();
        assertThat(md.ktstrKconfigHash()).isEqualTo(FRAGMENT.hash());
        assertThat(out).anyMatch(l -> l.startsWith("[kernel build] ") && l.contains("objects"));
        assertThat(out).anyMatch(l -> l.startsWith("stored " + expectedKey));
        assertNoLeftovers();

        // discovery finds it, booting the stripped PVH vmlinux
        ResolvedKernel k = KernelDiscovery.fromCacheEntry(e, "t");
        assertThat(k.bootImage()).isEqualTo(d.resolve("vmlinux"));
        assertThat(k.scheduler("scx_qmap")).isPresent();

        out.clear();
        KernelBuilder.Result again = builder.build(req("6.12", null, false));
        assertThat(again.cached()).isTrue();
        assertThat(out).anyMatch(l -> l.contains("already cached"));
        assertThat(builder.build(req(null, tarball, true)).cached()).isFalse();
        assertThat(cache.list()).hasSize(1);
        assertNoLeftovers();
    }

    @Test
    void versionRequestsUseAMatchingLocalTarballOrDownload() throws Exception {
        Path tarball = fakeTarball();
        assertThat(builder.chooseSource(req("6.12.99", null, false))).isEqualTo(new KernelSourceSpec.TarballFile(tarball, "6.12.99"));
        assertThat(builder.chooseSource(req("6.12.8", null, false)))
                .isEqualTo(new KernelSourceSpec.Download(KernelVersion.parse("6.12.8"), "https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.12.8.tar.xz"));
        assertThat(builder.keyFor(new KernelSourceSpec.Download(KernelVersion.parse("6.13"), "u")))
                .isEqualTo("6.13-tarball-x86_64-kc" + FRAGMENT.hash());
    }

    @Test
    void downloadWithoutNetworkSaysSoAndSuggestsLocalSources() {
        assertThatThrownBy(() -> builder.downloadConnectTimeout(Duration.ofSeconds(2))
                .download("http://127.0.0.1:9/linux-6.12.8.tar.xz", tmp.resolve("x.tar.xz")))
                .isInstanceOf(KernelException.class)
                .hasMessageContaining("network is unavailable").hasMessageContaining("--source").hasMessageContaining("linux-source");
        assertThat(tmp.resolve("x.tar.xz")).doesNotExist();
    }

    @Test
    void localTreeIsBuiltInPlaceAndStored() throws Exception {
        Path tree = fakeTree(tmp.resolve("mytree"));
        KernelBuilder.Result r = builder.build(req(null, tree, false));
        assertThat(r.key()).matches("local-unknown-[0-9a-f]{8}-x86_64-kc" + FRAGMENT.hash());
        assertThat(r.entry().usable()).isTrue();
        assertThat(r.entry().metadata().get().source()).isEqualTo(new KernelSourceInfo.Local(tree.toString(), null));
        assertThat(tree.resolve("vmlinux")).isRegularFile(); // built in place
        assertThat(KernelLabel.forCacheKey(r.key())).isEqualTo("kernel_local_unknown");
        // a non-git tree cannot prove it is unchanged: it is rebuilt (incrementally) every time
        KernelBuilder.Result again = builder.build(req(null, tree, false));
        assertThat(again.cached()).isFalse();
        assertThat(out).anyMatch(l -> l.contains("not a clean git checkout"));
        assertThat(out).anyMatch(l -> l.contains("using the existing") && l.contains("already enables sched_ext"));
        assertNoLeftovers();
    }

    @Test
    void cleanGitTreeKeysByCommitAndConfig() throws Exception {
        Path tree = fakeTree(tmp.resolve("gittree"));
        git(tree, "init", "-q");
        git(tree, "add", "-A");
        git(tree, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x");
        String head = CommandRunner.capture(List.of("git", "rev-parse", "HEAD"), tree, 10).trim();
        String kc = "-kc" + FRAGMENT.hash();
        assertThat(builder.keyFor(new KernelSourceSpec.LocalTree(tree))).isEqualTo("local-" + head.substring(0, 7) + "-x86_64" + kc);
        Files.writeString(tree.resolve(".config"), "CONFIG_X=y\n"); // untracked: still clean
        assertThat(builder.keyFor(new KernelSourceSpec.LocalTree(tree)))
                .isEqualTo("local-" + head.substring(0, 7) + "-x86_64-cfg" + Hashes.crc32Hex(tree.resolve(".config")) + kc);
        Files.writeString(tree.resolve("Kconfig"), "# edited\n");
        assertThat(builder.keyFor(new KernelSourceSpec.LocalTree(tree))).startsWith("local-unknown-");
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        assertThat(new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start().waitFor()).isZero();
    }

    @Test
    void droppedRequiredOptionStopsBeforeCompiling() throws Exception {
        Path tree = fakeTree(tmp.resolve("t"));
        Files.writeString(tree.resolve("drop-option"), "PVH");
        assertThatThrownBy(() -> builder.build(req(null, tree, false))).isInstanceOf(KernelException.class)
                .hasMessageContaining("CONFIG_PVH is not set").hasMessageContaining("HYPERVISOR_GUEST");
        assertThat(tree.resolve("vmlinux")).doesNotExist();
        assertThat(cache.list()).isEmpty();
        assertNoLeftovers();
    }

    @Test
    void compileFailureShowsTheTailAndLeavesNoEntryOrBuildDir() throws Exception {
        fakeTarball();
        Files.writeString(tmp.resolve("pkg/linux-source-6.12/fail-build"), "");
        Files.delete(usrSrc.resolve("linux-source-6.12.tar.xz"));
        fakeTarball();
        assertThatThrownBy(() -> builder.build(req(null, null, false))).isInstanceOf(KernelException.class)
                .hasMessageContaining("kernel build failed (make exit 2)")
                .hasMessageContaining("error: boom")
                .hasMessageContaining("full log: " + cache.buildArea().resolve("logs"));
        assertThat(cache.list()).isEmpty();
        assertNoLeftovers();
        try (Stream<Path> s = Files.list(cache.buildArea())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("logs");
        }
    }

    @Test
    void schedulersAreOptional() throws Exception {
        Path tree = fakeTree(tmp.resolve("t"));
        builder.clangCandidates(List.of("no-such-clang-ktstr"));
        KernelBuilder.Result r = builder.build(req(null, tree, false));
        assertThat(r.warnings()).singleElement().asString().contains("no clang found");
        assertThat(r.entry().usable()).isTrue();
        assertThat(r.entry().metadata().get().schedulers()).isEmpty();
        assertThat(r.entry().dir().resolve("scx")).doesNotExist();

        builder.clangCandidates(List.of("sh"));
        Files.writeString(tree.resolve("fail-scx"), "");
        KernelBuilder.Result failed = builder.build(req(null, tree, true));
        assertThat(failed.warnings()).singleElement().asString().contains("tools/sched_ext failed", "clang exploded");
        assertThat(failed.entry().usable()).isTrue();
    }

    /** A fixture compile error is a warning and never costs the four example schedulers (CI builds kernels fresh). */
    @Test
    void aBrokenFixtureKeepsTheFourSchedulers() throws Exception {
        Path tree = fakeTree(tmp.resolve("t"));
        KernelBuilder.Result ok = builder.build(req(null, tree, false));
        assertThat(ok.entry().metadata().get().schedulers()).contains("scx_ktstr", "scx_simple", "scx_qmap", "scx_central", "scx_flatcg");
        Files.writeString(tree.resolve("fail-fixture"), "");
        KernelBuilder.Result r = builder.build(req(null, tree, true));
        assertThat(r.warnings()).singleElement().asString().contains("scx_ktstr failed to build", "fixture broke", "other schedulers are kept");
        assertThat(r.entry().usable()).isTrue();
        assertThat(r.entry().metadata().get().schedulers()).containsExactlyInAnyOrder("scx_simple", "scx_qmap", "scx_central", "scx_flatcg");
        assertThat(r.entry().dir().resolve("scx/scx_simple")).isExecutable();
    }

    @Test
    void badRequestsAreRejectedWithTheFix() throws IOException {
        assertThatThrownBy(() -> req("6.12", tmp, false)).hasMessageContaining("either a VERSION or --source");
        assertThatThrownBy(() -> builder.chooseSource(req(null, tmp.resolve("nope"), false))).hasMessageContaining("does not exist");
        Path notTar = Files.writeString(tmp.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> builder.chooseSource(req(null, notTar, false))).hasMessageContaining("neither a directory nor a tarball");
        assertThatThrownBy(() -> builder.chooseSource(req(null, tmp, false))).hasMessageContaining("not a kernel tree");
        assertThatThrownBy(() -> builder.chooseSource(req(null, null, false)))
                .hasMessageContaining("no kernel source found").hasMessageContaining("apt-get install linux-source");
        Path junk = Files.writeString(usrSrc.resolve("linux-source-6.13.tar.xz"), "not a tarball");
        assertThatThrownBy(() -> builder.chooseSource(req(null, null, false))).hasMessageContaining(junk + " does not look like a kernel source tarball");
    }

    private void assertNoLeftovers() throws IOException {
        try (Stream<Path> s = Files.list(cache.root())) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tmp-") || n.startsWith(".old-"))).isEmpty();
        }
        if (Files.isDirectory(cache.buildArea())) {
            try (Stream<Path> s = Files.list(cache.buildArea())) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("logs"))).isEmpty();
            }
        }
    }
}
