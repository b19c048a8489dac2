package dev.ktstr.vmm.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfFileTest {
    @TempDir
    Path tmp;

    @Test
    void parsesInterpreterAndNeededOfLs() throws IOException {
        ElfFile ls = ElfFile.parse(TestBinaries.ls());
        assertThat(ls.interpreter()).contains("/lib64/ld-linux-x86-64.so.2");
        assertThat(ls.needed()).contains("libc.so.6", "libselinux.so.1");
        assertThat(ls.isDynamic()).isTrue();
        assertThat(ls.type()).isIn(ElfFile.ET_EXEC, ElfFile.ET_DYN);
    }

    @Test
    void parsesSchedulerNeeds() throws IOException {
        ElfFile scx = ElfFile.parse(TestBinaries.scxSimple());
        assertThat(scx.needed()).containsExactlyInAnyOrder("libelf.so.1", "libz.so.1", "libc.so.6");
        assertThat(scx.interpreter()).contains("/lib64/ld-linux-x86-64.so.2");
    }

    @Test
    void parsesSonameAndRpathOfJavaLauncher() throws IOException {
        Path javaHome = Path.of(System.getProperty("java.home"));
        ElfFile java = ElfFile.parse(javaHome.resolve("bin/java"));
        assertThat(java.needed()).contains("libjli.so");
        // JDK launchers find libjli through $ORIGIN-relative RPATH or RUNPATH
        assertThat(java.rpath().isEmpty() ? java.runpath() : java.rpath()).anyMatch(s -> s.contains("$ORIGIN"));
        ElfFile libc = ElfFile.parse(Path.of("/lib/x86_64-linux-gnu/libc.so.6"));
        assertThat(libc.soname()).contains("libc.so.6");
        assertThat(libc.type()).isEqualTo(ElfFile.ET_DYN);
    }

    @Test
    void staticBusyboxIsNotDynamic() throws IOException {
        Path bb = Path.of("/bin/busybox");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(bb), "busybox-static not installed (ops/setup.sh)");
        assertThat(ElfFile.parse(bb).isDynamic()).isFalse();
    }

    @Test
    void detectsElfMagic() throws IOException {
        Path script = Files.writeString(tmp.resolve("s.sh"), "#!/bin/sh\necho hi\n");
        assertThat(ElfFile.isElf(script)).isFalse();
        assertThat(ElfFile.isElf(TestBinaries.ls())).isTrue();
        assertThat(ElfFile.isElf(tmp)).isFalse();
        assertThat(ElfFile.isElf(Files.write(tmp.resolve("short"), new byte[] {0x7f, 'E'}))).isFalse();
    }

    @Test
    void rejectsOtherClassesByteOrdersAndMachinesByName() throws IOException {
        byte[] ls = Files.readAllBytes(TestBinaries.ls());
        assertThatThrownBy(() -> parseModified(ls, 4, (byte) 1)).isInstanceOf(ElfFormatException.class).hasMessageContaining("32-bit");
        assertThatThrownBy(() -> parseModified(ls, 5, (byte) 2)).isInstanceOf(ElfFormatException.class).hasMessageContaining("big-endian");
        // EM_AARCH64 = 183
        assertThatThrownBy(() -> parseModified(ls, 18, (byte) 183)).isInstanceOf(ElfFormatException.class)
                .hasMessageContaining("machine 183").hasMessageContaining("x86_64");
        assertThatThrownBy(() -> ElfFile.parse(Files.writeString(tmp.resolve("txt"), "not an elf at all, but long enough to hold a header........................")))
                .isInstanceOf(ElfFormatException.class).hasMessageContaining("not an ELF");
    }

    @Test
    void truncatedFileIsAnErrorNotAnException() throws IOException {
        byte[] ls = Files.readAllBytes(TestBinaries.ls());
        byte[] head = java.util.Arrays.copyOf(ls, 200); // header intact, program headers cut off
        Path p = Files.write(tmp.resolve("trunc"), head);
        assertThatThrownBy(() -> ElfFile.parse(p)).isInstanceOf(ElfFormatException.class).hasMessageContaining("truncated");
    }

    @Test
    void parsedFromBufferMatchesFile() throws IOException {
        byte[] ls = Files.readAllBytes(TestBinaries.ls());
        ElfFile a = ElfFile.parse(TestBinaries.ls(), ByteBuffer.wrap(ls).order(ByteOrder.LITTLE_ENDIAN));
        assertThat(a.needed()).isEqualTo(ElfFile.parse(TestBinaries.ls()).needed());
    }

    private ElfFile parseModified(byte[] orig, int offset, byte value) throws IOException {
        byte[] b = orig.clone();
        b[offset] = value;
        return ElfFile.parse(Files.write(tmp.resolve("mod" + offset), b));
    }
}
