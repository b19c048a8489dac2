package dev.ktstr.vmm.initramfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ktstr.vmm.elf.MissingLibraryException;
import dev.ktstr.vmm.elf.SharedLibraryResolver;
import dev.ktstr.vmm.elf.LdSoCache;

class InitramfsBuilderTest {
    @TempDir
    Path tmp;

    private static final byte[] INIT = "#!/bin/sh\nexec /bin/sh\n".getBytes(StandardCharsets.UTF_8);

    private InitramfsBuilder builder() {
        return new InitramfsBuilder(tmp.resolve("cache"));
    }

    private static InitramfsSpec spec(boolean busybox, List<Path> jars, List<IncludeSpec> includes, Map<String, byte[]> run) {
        return new InitramfsSpec(INIT, busybox, Optional.empty(), jars, includes, run);
    }

    @Test
    void layoutOfBaseAndSuffix() throws IOException {
        assumeTrue(Files.isRegularFile(InitramfsBuilder.DEFAULT_BUSYBOX), "busybox-static not installed (ops/setup.sh)");
        Path jar = Files.write(tmp.resolve("agent.jar"), new byte[] {'P', 'K', 3, 4});
        Path script = Files.writeString(tmp.resolve("run.sh"), "#!/bin/sh\necho included\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        BuiltInitramfs b = builder().build(spec(true, List.of(jar), List.of(IncludeSpec.of(script)),
                Map.of("/ktstr/run/args", "a\nb\n".getBytes(StandardCharsets.UTF_8),
                        "/ktstr/run/sched_enable", "#!/bin/sh\ntrue\n".getBytes(StandardCharsets.UTF_8))));
        byte[] all = Files.readAllBytes(b.file());
        assertThat((long) all.length).isEqualTo(b.baseBytes() + b.suffixBytes());
        assertThat(b.baseBytes() % 512).isZero();
        assertThat(b.suffixBytes() % 512).isZero();
        assertThat(b.baseCacheHit()).isFalse();

        List<CpioReader.Entry> base = CpioReader.read(all, 0, (int) b.baseBytes());
        Map<String, CpioReader.Entry> m = CpioReader.byName(base);
        assertThat(m.get("init").text()).isEqualTo(new String(INIT, StandardCharsets.UTF_8));
        assertThat(m.get("init").perm()).isEqualTo(0755);
        assertThat(m.get("init").type()).isEqualTo(CpioConstants.C_ISREG);
        assertThat(m.get("dev/console").type()).isEqualTo(CpioConstants.C_ISCHR);
        assertThat(m.get("dev/console").rdevMaj()).isEqualTo(5);
        assertThat(m.get("dev/console").rdevMin()).isEqualTo(1);
        assertThat(m.get("tmp").perm()).isEqualTo(01777);
        assertThat(m.get("bin/busybox").data()).isEqualTo(Files.readAllBytes(InitramfsBuilder.DEFAULT_BUSYBOX));
        assertThat(m.get("bin/sh").type()).isEqualTo(CpioConstants.C_ISLNK);
        assertThat(m.get("bin/sh").text()).isEqualTo("/bin/busybox");
        assertThat(m.get("sbin/poweroff").text()).isEqualTo("/bin/busybox");
        assertThat(m.get("ktstr/lib/agent.jar").perm()).isEqualTo(0644);
        assertThat(m.get("include-files/run.sh").perm()).isEqualTo(0750); // host mode kept
        assertThat(m.get("include-files/run.sh").mtime()).isEqualTo(Files.getLastModifiedTime(script).toMillis() / 1000);
        // every parent directory precedes its children (the kernel does not create missing parents)
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (CpioReader.Entry e : base) {
            int slash = e.name().lastIndexOf('/');
            if (slash > 0) assertThat(seen).as("parent of " + e.name()).contains(e.name().substring(0, slash));
            seen.add(e.name());
        }
        assertThat(base.get(base.size() - 1).name()).isEqualTo(CpioWriter.SENTINEL);
        assertThat(new String(all, (int) b.baseBytes() - 512, 512, StandardCharsets.ISO_8859_1)).contains("TRAILER!!!");

        Map<String, CpioReader.Entry> suffix = CpioReader.byName(CpioReader.read(all, (int) b.baseBytes(), all.length));
        assertThat(suffix.keySet()).containsExactly("ktstr", "ktstr/run", "ktstr/run/args", "ktstr/run/sched_enable");
        assertThat(suffix.get("ktstr/run/args").perm()).isEqualTo(0644);
        assertThat(suffix.get("ktstr/run/sched_enable").perm()).isEqualTo(0755);
        assertThat(suffix.get("ktstr/run/args").text()).isEqualTo("a\nb\n");
        assertThat(b.file().getParent()).isEqualTo(tmp.resolve("cache/initramfs/run"));
    }

    @Test
    void secondBuildReusesBaseAndContentChangesTheKey() throws IOException {
        Path inc = Files.writeString(tmp.resolve("data.txt"), "one");
        InitramfsBuilder bld = builder();
        BuiltInitramfs first = bld.build(spec(false, List.of(), List.of(IncludeSpec.of(inc)), Map.of("/a", new byte[] {1})));
        BuiltInitramfs second = builder().build(spec(false, List.of(), List.of(IncludeSpec.of(inc)), Map.of("/a", new byte[] {2})));
        assertThat(second.baseCacheHit()).isTrue();
        assertThat(second.baseKey()).isEqualTo(first.baseKey());
        assertThat(second.file()).isNotEqualTo(first.file());
        assertThat(Files.readAllBytes(second.file())).isNotEqualTo(Files.readAllBytes(first.file())); // suffix differs

        // same size and the old mtime put back (as cp -p or a build cache would): the on-disk digest memo
        // must still notice, because the rewrite changed the ctime
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(inc);
        Files.writeString(inc, "two");
        Files.setLastModifiedTime(inc, before);
        BuiltInitramfs third = builder().build(spec(false, List.of(), List.of(IncludeSpec.of(inc)), Map.of()));
        assertThat(third.baseCacheHit()).isFalse();
        assertThat(third.baseKey()).isNotEqualTo(first.baseKey());
        for (BuiltInitramfs b : List.of(first, second, third)) Files.delete(b.file());
    }

    @Test
    void includeErrorsNameTheProblem() throws Exception {
        Path missing = tmp.resolve("no-such-file");
        assertThatThrownBy(() -> builder().build(spec(false, List.of(), List.of(IncludeSpec.of(missing)), Map.of())))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining(missing.toString()).hasMessageContaining("-i");
        assertThatThrownBy(() -> new IncludeSpec(tmp, "/include-files/../etc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("..");
        assertThatThrownBy(() -> new IncludeSpec(tmp, "relative/x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute");
        Path fifo = tmp.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> builder().build(spec(false, List.of(), List.of(IncludeSpec.of(fifo)), Map.of())))
                .isInstanceOf(IOException.class).hasMessageContaining(fifo.toString()).hasMessageContaining("neither a regular file nor a directory");
        Path a = Files.createDirectories(tmp.resolve("a")).resolve("same.txt");
        Path b = Files.createDirectories(tmp.resolve("b")).resolve("same.txt");
        Files.writeString(a, "a");
        Files.writeString(b, "b");
        assertThatThrownBy(() -> builder().build(spec(false, List.of(), List.of(IncludeSpec.of(a), IncludeSpec.of(b)), Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/include-files/same.txt")
                .hasMessageContaining(a.toString()).hasMessageContaining(b.toString());
        assertThatThrownBy(() -> spec(false, List.of(), List.of(), Map.of("args", new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> builder().build(spec(false, List.of(tmp.resolve("absent.jar")), List.of(), Map.of())))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("absent.jar");
        // the same file named twice is deduplicated, not an error
        builder().build(spec(false, List.of(), List.of(IncludeSpec.of(a), IncludeSpec.of(a)), Map.of()));
    }

    @Test
    void directoriesAreIncludedRecursivelyWithElfClosure() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tools/sub"));
        Files.writeString(dir.resolve("note.txt"), "hi");
        Files.copy(Path.of("/bin/ls"), dir.resolve("ls"));
        Files.createSymbolicLink(tmp.resolve("tools/link.txt"), dir.resolve("note.txt"));
        assertThat(new ProcessBuilder("mkfifo", tmp.resolve("tools/pipe").toString()).start().waitFor()).isZero();
        BuiltInitramfs b = builder().build(spec(false, List.of(), List.of(IncludeSpec.of(tmp.resolve("tools"))), Map.of()));
        Map<String, CpioReader.Entry> m = CpioReader.byName(CpioReader.read(Files.newInputStream(b.file())));
        assertThat(m.get("include-files/tools/sub/note.txt").text()).isEqualTo("hi");
        assertThat(m.get("include-files/tools/link.txt").type()).isEqualTo(CpioConstants.C_ISREG); // symlinks followed
        assertThat(m.get("include-files/tools/link.txt").text()).isEqualTo("hi");
        assertThat(m).doesNotContainKey("include-files/tools/pipe");
        assertThat(b.warnings()).anySatisfy(w -> assertThat(w).contains("pipe").contains("not a regular file"));
        assertThat(m).containsKeys("lib64/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/libc.so.6", "lib/x86_64-linux-gnu/libselinux.so.1");
        assertThat(m.get("lib/x86_64-linux-gnu/libc.so.6").data()).isEqualTo(Files.readAllBytes(Path.of("/lib/x86_64-linux-gnu/libc.so.6")));
    }

    @Test
    void schedulerBinaryBringsItsLibraries() throws IOException {
        Path scx = dev.ktstr.vmm.elf.TestBinaries.scxSimple();
        BuiltInitramfs b = builder().build(spec(false, List.of(), List.of(IncludeSpec.of(scx)), Map.of()));
        Map<String, CpioReader.Entry> m = CpioReader.byName(CpioReader.read(Files.newInputStream(b.file())));
        assertThat(m).containsKeys("include-files/scx_simple", "lib/x86_64-linux-gnu/libelf.so.1", "lib/x86_64-linux-gnu/libz.so.1",
                "lib/x86_64-linux-gnu/libc.so.6", "lib64/ld-linux-x86-64.so.2");
    }

    @Test
    void aLibraryReachedTwiceIsStoredOnceAndLinked() throws IOException {
        // libz is included as a file and is also needed by libelf: the second path becomes a symlink.
        Path libz = Path.of("/lib/x86_64-linux-gnu/libz.so.1");
        Path libelf = Path.of("/lib/x86_64-linux-gnu/libelf.so.1");
        BuiltInitramfs b = builder().build(spec(false, List.of(), List.of(IncludeSpec.of(libz), IncludeSpec.of(libelf)), Map.of()));
        Map<String, CpioReader.Entry> m = CpioReader.byName(CpioReader.read(Files.newInputStream(b.file())));
        assertThat(m.get("include-files/libz.so.1").type()).isEqualTo(CpioConstants.C_ISREG);
        assertThat(m.get("lib/x86_64-linux-gnu/libz.so.1").type()).isEqualTo(CpioConstants.C_ISLNK);
        assertThat(m.get("lib/x86_64-linux-gnu/libz.so.1").text()).isEqualTo("/include-files/libz.so.1");
    }

    @Test
    void missingLibraryFailsTheBuild() throws IOException {
        SharedLibraryResolver nothing = new SharedLibraryResolver(new SharedLibraryResolver.Config(List.of(), LdSoCache.empty(), List.of(), List.of(tmp)));
        Path ls = Path.of("/bin/ls");
        assertThatThrownBy(() -> builder().withResolver(nothing).build(spec(false, List.of(), List.of(IncludeSpec.of(ls)), Map.of())))
                .isInstanceOf(MissingLibraryException.class).hasMessageContaining("needed by /bin/ls");
    }

    @Test
    void runtimeTreeGoesToJreWithItsLibraries() throws IOException {
        Path jre = Files.createDirectories(tmp.resolve("fake-jre/bin"));
        Files.copy(Path.of("/bin/true"), jre.resolve("java"));
        Files.createDirectories(jre.resolveSibling("lib/server"));
        Files.writeString(jre.resolveSibling("lib/server/classes.jsa"), "cds");
        GuestRuntime rt = new GuestRuntime(jre.getParent(), tmp, "0-test", List.of("java.base"), "test-key");
        BuiltInitramfs b = builder().build(new InitramfsSpec(INIT, false, Optional.of(rt), List.of(), List.of(), Map.of()));
        Map<String, CpioReader.Entry> m = CpioReader.byName(CpioReader.read(Files.newInputStream(b.file())));
        assertThat(m.get("jre/bin/java").perm() & 0111).isNotZero();
        assertThat(m.get("jre/lib/server/classes.jsa").text()).isEqualTo("cds");
        assertThat(m).containsKeys("lib/x86_64-linux-gnu/libc.so.6", "lib64/ld-linux-x86-64.so.2");
    }

    @Test
    void gzipBaseDecompressesAndSuffixFollowsAligned() throws IOException {
        Path inc = Files.writeString(tmp.resolve("x.txt"), "x".repeat(10_000));
        BuiltInitramfs b = builder().withCompression(InitramfsCompression.GZIP)
                .build(spec(false, List.of(), List.of(IncludeSpec.of(inc)), Map.of("/r", "r".getBytes(StandardCharsets.UTF_8))));
        assertThat(b.file().toString()).endsWith(".cpio.gz");
        byte[] all = Files.readAllBytes(b.file());
        assertThat(b.baseBytes() % 512).isZero();
        Map<String, CpioReader.Entry> base = CpioReader.byName(CpioReader.read(new java.io.ByteArrayInputStream(CpioReader.gunzip(all, 0, (int) b.baseBytes()))));
        assertThat(base.get("include-files/x.txt").text()).hasSize(10_000);
        assertThat(CpioReader.byName(CpioReader.read(all, (int) b.baseBytes(), all.length)).get("r").text()).isEqualTo("r");
    }

    @Test
    void lz4LegacyBaseDecodesChunkwiseWithEndMarker() throws IOException {
        Path big = tmp.resolve("big.bin");
        byte[] data = new byte[9 << 20]; // more than one 8 MiB block
        new java.util.Random(1).nextBytes(data);
        for (int i = 0; i < data.length; i += 2) data[i] = 0; // compressible but not trivial
        Files.write(big, data);
        BuiltInitramfs b = builder().withCompression(InitramfsCompression.LZ4_LEGACY)
                .build(spec(false, List.of(), List.of(IncludeSpec.of(big)), Map.of("/r", "r".getBytes(StandardCharsets.UTF_8))));
        byte[] all = Files.readAllBytes(b.file());
        int[] end = new int[1];
        byte[] cpio = CpioReader.unlz4Legacy(java.util.Arrays.copyOf(all, (int) b.baseBytes()), end);
        assertThat(cpio.length).isGreaterThan(Lz4LegacyOutputStream.BLOCK);
        for (int i = end[0]; i < b.baseBytes(); i++) assertThat(all[i]).isZero(); // only padding after the end marker
        Map<String, CpioReader.Entry> base = CpioReader.byName(CpioReader.read(new java.io.ByteArrayInputStream(cpio)));
        assertThat(base.get("include-files/big.bin").data()).isEqualTo(data);
        assertThat(CpioReader.byName(CpioReader.read(all, (int) b.baseBytes(), all.length))).containsKey("r");
    }

    @Test
    void orphanedRunFilesOfDeadProcessesAreRemoved() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("cache/initramfs/run"));
        Path orphan = Files.writeString(run.resolve("initramfs-999999999-abc.cpio"), "x"); // pid above pid_max
        Path mine = Files.writeString(run.resolve("initramfs-" + ProcessHandle.current().pid() + "-abc.cpio"), "x");
        builder().build(spec(false, List.of(), List.of(), Map.of()));
        assertThat(orphan).doesNotExist();
        assertThat(mine).exists();
    }

    @Test
    void oldBasesArePruned() throws IOException {
        InitramfsBuilder bld = builder();
        for (int i = 0; i < InitramfsBuilder.KEEP_BASES + 3; i++) {
            Path inc = Files.writeString(tmp.resolve("v.txt"), "v" + i);
            Files.delete(bld.build(spec(false, List.of(), List.of(IncludeSpec.of(inc)), Map.of())).file());
        }
        try (var s = Files.list(bld.cacheDir())) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("base-")).count()).isEqualTo(InitramfsBuilder.KEEP_BASES);
        }
    }

    @Test
    void includeSpecDefaultsToIncludeFilesBasename() {
        assertThat(IncludeSpec.of(Path.of("/usr/bin/stress-ng")).guestPath()).isEqualTo("/include-files/stress-ng");
        assertThat(IncludeSpec.of(Path.of("some/dir/")).guestPath()).isEqualTo("/include-files/dir");
    }
}
