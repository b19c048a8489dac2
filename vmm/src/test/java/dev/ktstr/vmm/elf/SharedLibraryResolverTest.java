package dev.ktstr.vmm.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ktstr.vmm.elf.SharedLibraryResolver.ElfObject;
import dev.ktstr.vmm.elf.SharedLibraryResolver.Library;

class SharedLibraryResolverTest {
    @TempDir
    Path tmp;

    @Test
    void schedulerClosureHasLibelfLibzLibcAndLoader() throws IOException {
        Path scx = TestBinaries.scxSimple();
        List<Library> libs = SharedLibraryResolver.host().closure(List.of(new ElfObject(scx, "/include-files/scx_simple")));
        assertThat(libs).extracting(Library::soname)
                .contains("/lib64/ld-linux-x86-64.so.2", "libelf.so.1", "libz.so.1", "libc.so.6");
        assertThat(libs).allSatisfy(l -> assertThat(Files.isRegularFile(l.hostPath())).isTrue());
    }

    @Test
    void closureMatchesLddForLs() throws Exception {
        Path ls = TestBinaries.ls();
        List<Library> libs = SharedLibraryResolver.host().closure(List.of(new ElfObject(ls, "/bin/ls")));
        Set<String> ours = new TreeSet<>();
        for (Library l : libs) ours.add(l.hostPath().toRealPath().toString());
        // ldd prints "soname => /path (0x...)" and "/lib64/ld-linux... (0x...)"; vdso has no file.
        Process p = new ProcessBuilder("ldd", ls.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Set<String> ldd = new TreeSet<>();
        Matcher m = Pattern.compile("(?:=> )?(/\\S+) \\(0x").matcher(out);
        while (m.find()) ldd.add(Path.of(m.group(1)).toRealPath().toString());
        assertThat(ldd).isNotEmpty();
        assertThat(ours).isEqualTo(ldd);
    }

    @Test
    void missingLibraryNamesSonameAndBinary() {
        SharedLibraryResolver r = new SharedLibraryResolver(new SharedLibraryResolver.Config(
                List.of(), LdSoCache.empty(), List.of(), List.of(tmp)));
        Path scx = TestBinaries.ls();
        assertThatThrownBy(() -> r.closure(List.of(new ElfObject(scx, "/bin/ls"))))
                .isInstanceOfSatisfying(MissingLibraryException.class, e -> {
                    assertThat(e.neededBy()).isEqualTo(scx);
                    assertThat(e.soname()).isIn("libselinux.so.1", "libc.so.6");
                })
                .hasMessageContaining("needed by /bin/ls").hasMessageContaining(tmp.toString());
    }

    @Test
    void originRelativeLibrariesLandNextToTheGuestCopy() throws IOException {
        Path javaHome = Path.of(System.getProperty("java.home"));
        List<Library> libs = SharedLibraryResolver.host().closure(List.of(new ElfObject(javaHome.resolve("bin/java"), "/jre/bin/java")));
        Library jli = libs.stream().filter(l -> l.soname().equals("libjli.so")).findFirst().orElseThrow();
        assertThat(jli.guestPath()).isEqualTo("/jre/lib/libjli.so");
        assertThat(jli.hostPath().normalize()).isEqualTo(javaHome.resolve("lib/libjli.so").normalize());
    }

    @Test
    void libraryFromNonSystemDirGetsAGuestLink() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("private"));
        Files.copy(Path.of("/lib/x86_64-linux-gnu/libz.so.1"), dir.resolve("libz.so.1"));
        SharedLibraryResolver host = SharedLibraryResolver.host();
        SharedLibraryResolver r = new SharedLibraryResolver(new SharedLibraryResolver.Config(
                List.of(dir), LdSoCache.load(Path.of("/etc/ld.so.cache")), List.of(), SharedLibraryResolver.DEFAULT_DIRS));
        Path elf = Path.of("/lib/x86_64-linux-gnu/libelf.so.1"); // needs libz.so.1
        assertThat(host.parse(elf).needed()).contains("libz.so.1");
        Library z = r.closure(List.of(new ElfObject(elf, "/x/libelf.so.1"))).stream()
                .filter(l -> l.soname().equals("libz.so.1")).findFirst().orElseThrow();
        assertThat(z.hostPath()).isEqualTo(dir.resolve("libz.so.1"));
        // the temp dir is under /tmp, which the guest's /init mounts over: the copy must live elsewhere
        assertThat(dir.toString()).startsWith("/tmp/");
        assertThat(z.guestPath()).isEqualTo("/ktstr/hostlib" + dir.resolve("libz.so.1"));
        assertThat(z.guestLinks()).containsExactly("/usr/lib/x86_64-linux-gnu/libz.so.1");
    }

    @Test
    void onlyPathsUnderGuestMountsAreHidden() {
        assertThat(SharedLibraryResolver.hiddenInGuest("/tmp/x/libbpf.so.1")).isTrue();
        assertThat(SharedLibraryResolver.hiddenInGuest("/run/user/1000/lib.so")).isTrue();
        assertThat(SharedLibraryResolver.hiddenInGuest("/dev/shm/lib.so")).isTrue();
        assertThat(SharedLibraryResolver.hiddenInGuest("/tmpfoo/lib.so")).isFalse();
        assertThat(SharedLibraryResolver.hiddenInGuest("/opt/scx/lib/libbpf.so.1")).isFalse();
    }

    @Test
    void groupMembersSatisfyEachOthersSonames() throws IOException {
        // libjava.so needs libjvm.so, which lives in lib/server: ld.so finds it because the launcher loaded it first.
        Path jdk = Path.of(System.getProperty("java.home"));
        Path libjava = jdk.resolve("lib/libjava.so");
        Path libjvm = jdk.resolve("lib/server/libjvm.so");
        SharedLibraryResolver r = SharedLibraryResolver.host();
        assertThatThrownBy(() -> r.closure(List.of(new ElfObject(libjava, "/jre/lib/libjava.so"))))
                .isInstanceOf(MissingLibraryException.class).hasMessageContaining("libjvm.so");
        List<Library> libs = r.closure(List.of(new ElfObject(libjava, "/jre/lib/libjava.so"), new ElfObject(libjvm, "/jre/lib/server/libjvm.so")));
        assertThat(libs).extracting(Library::soname).doesNotContain("libjvm.so").contains("libc.so.6");
    }
}
