package dev.ktstr.vmm.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.RandomAccessFile;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Translation and page walks over a synthetic guest RAM file with hand-built page tables. */
class KernelAddressSpaceTest {
    static final long MAP = KernelAddressSpace.START_KERNEL_MAP;
    static final long POB = 0xffff888000000000L;
    static final long VMALLOC = 0xffffc90000123000L;

    static void put(RandomAccessFile f, long pa, long v) throws Exception {
        f.seek(pa);
        f.writeLong(Long.reverseBytes(v));
    }

    static long idx(long va, int shift) {
        return (va >>> shift) & 0x1ff;
    }

    @Test
    void translatesImageDirectMapAndWalksPageTables(@TempDir Path dir) throws Exception {
        Path ram = dir.resolve("g.ram");
        try (RandomAccessFile f = new RandomAccessFile(ram.toFile(), "rw")) {
            f.setLength(8 << 20);
            put(f, 0x100, 0);          // phys_base
            put(f, 0x108, POB);        // page_offset_base
            // __pgtable_l5_enabled at 0x110 stays 0: 4-level
            long pgd = 0x10000, pud = 0x11000, pmd = 0x12000, pte = 0x13000;
            put(f, pgd + idx(VMALLOC, 39) * 8, pud | 0x63);
            put(f, pud + idx(VMALLOC, 30) * 8, pmd | 0x63);
            put(f, pmd + idx(VMALLOC, 21) * 8, pte | 0x63);
            put(f, pte + idx(VMALLOC, 12) * 8, 0x200000L | 0x63 | (1L << 63)); // NX bit must be masked off
            // a 2 MiB huge mapping at VMALLOC + 4 MiB -> phys 0x400000
            long huge = VMALLOC + (4L << 20);
            put(f, pmd + idx(huge, 21) * 8, 0x400000L | 0xe3);
            put(f, 0x200000 + 0x10, 0x1122334455667788L);
        }
        KernelSymbols syms = KernelSymbols.parse(new BufferedReader(new StringReader(String.join("\n",
                hex(MAP + 0x100) + " D phys_base", hex(MAP + 0x108) + " D page_offset_base",
                hex(MAP + 0x110) + " D __pgtable_l5_enabled", hex(MAP + 0x10000) + " D init_top_pgt"))));
        try (GuestMemory mem = GuestMemory.map(List.of(new RamRegion(0, 8 << 20, ram, 0)))) {
            KernelAddressSpace as = KernelAddressSpace.read(mem, syms);
            assertThat(as.pageOffsetBase()).isEqualTo(POB);
            assertThat(as.fiveLevelPaging()).isFalse();
            assertThat(as.toPhys(MAP + 0x1234)).isEqualTo(0x1234);
            assertThat(as.toPhys(POB + 0x5000)).isEqualTo(0x5000);
            assertThat(as.toPhys(VMALLOC + 0x10)).isEqualTo(0x200010);
            assertThat(as.readU64(VMALLOC + 0x10)).isEqualTo(0x1122334455667788L);
            long huge = VMALLOC + (4L << 20);
            assertThat(as.walk(huge)).isEqualTo(0x400000L + (huge & 0x1fffff));
            assertThatThrownBy(() -> as.toPhys(VMALLOC + (8L << 20))).isInstanceOf(GuestMemoryException.class).hasMessageContaining("not mapped");
            assertThatThrownBy(() -> mem.readU64(9L << 20)).hasMessageContaining("outside guest RAM");
            mem.writeU64(0x300000, 7);
            assertThat(mem.readU64(0x300000)).isEqualTo(7);
        }
    }

    @Test
    void relocatedKernelIsRejected(@TempDir Path dir) throws Exception {
        Path ram = dir.resolve("g.ram");
        try (RandomAccessFile f = new RandomAccessFile(ram.toFile(), "rw")) {
            f.setLength(1 << 20);
            put(f, 0x100, 0x2000000);
        }
        KernelSymbols syms = KernelSymbols.of(Map.of("phys_base", MAP + 0x100, "page_offset_base", MAP + 0x108, "init_top_pgt", MAP + 0x1000));
        try (GuestMemory mem = GuestMemory.map(List.of(new RamRegion(0, 1 << 20, ram, 0)))) {
            assertThatThrownBy(() -> KernelAddressSpace.read(mem, syms)).hasMessageContaining("nokaslr");
        }
    }

    @Test
    void systemMapAndConfigParse() throws Exception {
        KernelSymbols s = KernelSymbols.parse(new BufferedReader(new StringReader(
                "000000000002f4c0 D runqueues\nffffffff836b6838 b scx_watchdog_timeout\nffffffff836b6838 t scx_watchdog_timeout\n")));
        assertThat(s.address("runqueues")).hasValue(0x2f4c0);
        assertThat(s.address("scx_watchdog_timeout")).hasValue(0xffffffff836b6838L);
        assertThat(s.address("nope")).isEmpty();
        assertThatThrownBy(() -> KernelSymbols.parse(new BufferedReader(new StringReader("garbage line\n"))))
                .hasMessageContaining("line 1");
        KernelConfig c = KernelConfig.parse("# comment\nCONFIG_HZ=1000\nCONFIG_SCHEDSTATS=y\nCONFIG_X=\"a b\"\n# CONFIG_Y is not set\n", "t");
        assertThat(c.hz()).isEqualTo(1000);
        assertThat(c.enabled("CONFIG_SCHEDSTATS")).isTrue();
        assertThat(c.enabled("CONFIG_Y")).isFalse();
        assertThat(c.get("CONFIG_X")).hasValue("a b");
        assertThat(KernelConfig.parse("", "none").hz()).isEqualTo(250);
    }

    static String hex(long v) {
        return String.format("%016x", v);
    }
}
