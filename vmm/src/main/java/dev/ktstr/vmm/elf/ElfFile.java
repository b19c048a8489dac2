package dev.ktstr.vmm.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The dynamic-linking facts of one ELF64 little-endian x86_64 file: interpreter, DT_NEEDED,
 * DT_RPATH, DT_RUNPATH and DT_SONAME. Only the headers and the dynamic section are read.
 *
 * @param rpath   DT_RPATH entries, unexpanded ($ORIGIN kept)
 * @param runpath DT_RUNPATH entries, unexpanded
 */
public record ElfFile(Path path, short type, Optional<String> interpreter, List<String> needed,
                      List<String> rpath, List<String> runpath, Optional<String> soname) {

    public static final short ET_EXEC = 2;
    public static final short ET_DYN = 3;
    private static final int EM_X86_64 = 62;
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NULL = 0, DT_NEEDED = 1, DT_STRTAB = 5, DT_STRSZ = 10,
            DT_SONAME = 14, DT_RPATH = 15, DT_RUNPATH = 29;

    public ElfFile {
        needed = List.copyOf(needed);
        rpath = List.copyOf(rpath);
        runpath = List.copyOf(runpath);
    }

    /** True when the object needs a dynamic loader (has PT_INTERP or DT_NEEDED). */
    public boolean isDynamic() {
        return interpreter.isPresent() || !needed.isEmpty();
    }

    /** True when the file starts with the ELF magic; directories and short files are not ELF. */
    public static boolean isElf(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            while (b.hasRemaining() && ch.read(b) > 0) { /* fill */ }
            return b.position() == 4 && b.get(0) == 0x7f && b.get(1) == 'E' && b.get(2) == 'L' && b.get(3) == 'F';
        }
    }

    public static ElfFile parse(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ElfFormatException(file + ": ELF files over 2 GiB are not supported");
            }
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            return parse(file, buf);
        }
    }

    static ElfFile parse(Path file, ByteBuffer buf) throws ElfFormatException {
        Reader r = new Reader(file, buf);
        if (buf.limit() < 64 || buf.get(0) != 0x7f || buf.get(1) != 'E' || buf.get(2) != 'L' || buf.get(3) != 'F') {
            throw new ElfFormatException(file + ": not an ELF file (bad magic or shorter than an ELF header)");
        }
        if (buf.get(4) != 2) {
            throw new ElfFormatException(file + ": 32-bit ELF (EI_CLASS=" + buf.get(4) + "); only ELF64 x86_64 binaries are supported");
        }
        if (buf.get(5) != 1) {
            throw new ElfFormatException(file + ": big-endian ELF (EI_DATA=" + buf.get(5) + "); only little-endian x86_64 binaries are supported");
        }
        short type = buf.getShort(16);
        int machine = Short.toUnsignedInt(buf.getShort(18));
        if (machine != EM_X86_64) {
            throw new ElfFormatException(file + ": ELF machine " + machine + " is not x86_64 (62); build the binary for x86_64");
        }
        long phoff = buf.getLong(32);
        int phentsize = Short.toUnsignedInt(buf.getShort(54));
        int phnum = Short.toUnsignedInt(buf.getShort(56));
        if (phnum > 0 && phentsize < 56) {
            throw new ElfFormatException(file + ": program header entry size " + phentsize + " is too small");
        }

        List<long[]> loads = new ArrayList<>(); // {vaddr, memsz, offset, filesz}
        String interp = null;
        long dynOff = -1, dynSize = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = r.offset(phoff + (long) i * phentsize, 56);
            int ptype = buf.getInt(ph);
            long off = buf.getLong(ph + 8), vaddr = buf.getLong(ph + 16), filesz = buf.getLong(ph + 32), memsz = buf.getLong(ph + 40);
            if (ptype == PT_LOAD) {
                loads.add(new long[] {vaddr, memsz, off, filesz});
            } else if (ptype == PT_INTERP) {
                interp = r.cString(off, filesz);
            } else if (ptype == PT_DYNAMIC) {
                dynOff = off;
                dynSize = filesz;
            }
        }

        List<Long> neededOffs = new ArrayList<>(), rpathOffs = new ArrayList<>(), runpathOffs = new ArrayList<>();
        long strtabAddr = -1, strsz = -1, sonameOff = -1;
        for (long p = 0; dynOff >= 0 && p + 16 <= dynSize; p += 16) {
            int e = r.offset(dynOff + p, 16);
            long tag = buf.getLong(e), val = buf.getLong(e + 8);
            if (tag == DT_NULL) break;
            if (tag == DT_NEEDED) neededOffs.add(val);
            else if (tag == DT_RPATH) rpathOffs.add(val);
            else if (tag == DT_RUNPATH) runpathOffs.add(val);
            else if (tag == DT_SONAME) sonameOff = val;
            else if (tag == DT_STRTAB) strtabAddr = val;
            else if (tag == DT_STRSZ) strsz = val;
        }
        List<String> needed = new ArrayList<>(), rpath = new ArrayList<>(), runpath = new ArrayList<>();
        String soname = null;
        boolean anyStrings = !neededOffs.isEmpty() || !rpathOffs.isEmpty() || !runpathOffs.isEmpty() || sonameOff >= 0;
        if (anyStrings) {
            if (strtabAddr < 0) throw new ElfFormatException(file + ": dynamic section has no DT_STRTAB");
            long strtab = vaddrToOffset(file, loads, strtabAddr);
            long limit = strsz > 0 ? strsz : buf.limit() - strtab;
            for (long o : neededOffs) needed.add(r.stringAt(strtab, limit, o));
            for (long o : rpathOffs) splitPath(r.stringAt(strtab, limit, o), rpath);
            for (long o : runpathOffs) splitPath(r.stringAt(strtab, limit, o), runpath);
            if (sonameOff >= 0) soname = r.stringAt(strtab, limit, sonameOff);
        }
        return new ElfFile(file, type, Optional.ofNullable(interp), needed, rpath, runpath, Optional.ofNullable(soname));
    }

    private static void splitPath(String value, List<String> out) {
        for (String s : value.split(":")) {
            if (!s.isEmpty()) out.add(s);
        }
    }

    private static long vaddrToOffset(Path file, List<long[]> loads, long vaddr) throws ElfFormatException {
        for (long[] l : loads) {
            if (vaddr >= l[0] && vaddr < l[0] + l[3]) return l[2] + (vaddr - l[0]);
        }
        throw new ElfFormatException(file + ": DT_STRTAB address 0x" + Long.toHexString(vaddr) + " is not inside any PT_LOAD segment");
    }

    /** Bounds-checked access; every offset comes from the file and is untrusted. */
    private record Reader(Path file, ByteBuffer buf) {
        int offset(long off, long len) throws ElfFormatException {
            if (off < 0 || len < 0 || off + len > buf.limit()) {
                throw new ElfFormatException(file + ": truncated ELF (needs bytes " + off + ".." + (off + len) + ", file has " + buf.limit() + ")");
            }
            return (int) off;
        }

        String cString(long off, long maxLen) throws ElfFormatException {
            int start = offset(off, maxLen);
            int end = start;
            while (end < start + maxLen && buf.get(end) != 0) end++;
            byte[] b = new byte[end - start];
            buf.get(start, b);
            return new String(b, StandardCharsets.UTF_8);
        }

        String stringAt(long strtab, long strsz, long index) throws ElfFormatException {
            if (index < 0 || index >= strsz) {
                throw new ElfFormatException(file + ": dynamic string index " + index + " outside string table of " + strsz + " bytes");
            }
            long max = Math.min(strsz - index, buf.limit() - (strtab + index));
            return cString(strtab + index, max);
        }
    }
}
