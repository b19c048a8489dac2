package dev.ktstr.vmm.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * glibc's {@code /etc/ld.so.cache} in the "glibc-ld.so.cache1.1" format (glibc 2.32+ writes only this
 * format; older ones prefix it with the "ld.so-1.7.0" format, which is skipped). Only x86_64 libc6
 * entries are kept; the first entry per soname wins, as in ld.so, which sorts the cache by preference.
 */
public final class LdSoCache {
    static final String NEW_MAGIC = "glibc-ld.so.cache1.1";
    private static final String OLD_MAGIC = "ld.so-1.7.0";
    private static final int HEADER_SIZE = 48;     // magic+version(20) nlibs len_strings flags pad[3] ext_off unused[3]
    private static final int ENTRY_SIZE = 24;      // flags key value osversion hwcap(u64)
    private static final int OLD_ENTRY_SIZE = 12;  // flags key value
    private static final int FLAG_TYPE_MASK = 0x00ff, FLAG_ELF_LIBC6 = 0x0003;
    private static final int FLAG_REQUIRED_MASK = 0xff00, FLAG_X8664_LIB64 = 0x0300;

    private final Map<String, Path> bySoname;

    private LdSoCache(Map<String, Path> bySoname) {
        this.bySoname = Collections.unmodifiableMap(bySoname);
    }

    public static LdSoCache empty() {
        return new LdSoCache(Map.of());
    }

    /** Reads the cache; a missing file is an empty cache (ld.so then uses its default directories). */
    public static LdSoCache load(Path file) throws IOException {
        if (!Files.exists(file)) return empty();
        return parse(Files.readAllBytes(file), file.toString());
    }

    public static LdSoCache parse(byte[] data, String origin) throws ElfFormatException {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int base = 0;
        if (startsWith(data, 0, OLD_MAGIC)) {
            if (data.length < 16) throw new ElfFormatException(origin + ": truncated ld.so cache header");
            long oldN = Integer.toUnsignedLong(b.getInt(12));
            long end = 16 + oldN * OLD_ENTRY_SIZE;
            base = (int) ((end + 7) & ~7L); // the new-format part is 8-byte aligned after the old table
        }
        if (!startsWith(data, base, NEW_MAGIC)) {
            throw new ElfFormatException(origin + ": not a '" + NEW_MAGIC + "' ld.so cache (regenerate it with ldconfig)");
        }
        if (data.length < base + HEADER_SIZE) throw new ElfFormatException(origin + ": truncated ld.so cache header");
        long nlibs = Integer.toUnsignedLong(b.getInt(base + 20));
        if (base + HEADER_SIZE + nlibs * ENTRY_SIZE > data.length) {
            throw new ElfFormatException(origin + ": ld.so cache claims " + nlibs + " entries but is only " + data.length + " bytes");
        }
        Map<String, Path> map = new LinkedHashMap<>();
        for (int i = 0; i < nlibs; i++) {
            int e = base + HEADER_SIZE + i * ENTRY_SIZE;
            int flags = b.getInt(e);
            if ((flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6 || (flags & FLAG_REQUIRED_MASK) != FLAG_X8664_LIB64) continue;
            // Nonzero hwcap marks glibc-hwcaps variants (e.g. x86-64-v3) that the guest CPU model may not
            // support; the baseline entry for the same soname is always present too.
            if (b.getLong(e + 16) != 0) continue;
            // String offsets are relative to the start of the new-format header.
            String key = cString(data, base + Integer.toUnsignedLong(b.getInt(e + 4)), origin);
            String value = cString(data, base + Integer.toUnsignedLong(b.getInt(e + 8)), origin);
            map.putIfAbsent(key, Path.of(value));
        }
        return new LdSoCache(map);
    }

    public Optional<Path> lookup(String soname) {
        return Optional.ofNullable(bySoname.get(soname));
    }

    public Map<String, Path> entries() {
        return bySoname;
    }

    private static boolean startsWith(byte[] data, int at, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        if (data.length < at + m.length) return false;
        for (int i = 0; i < m.length; i++) if (data[at + i] != m[i]) return false;
        return true;
    }

    private static String cString(byte[] data, long off, String origin) throws ElfFormatException {
        if (off < 0 || off >= data.length) throw new ElfFormatException(origin + ": string offset " + off + " outside the ld.so cache");
        int end = (int) off;
        while (end < data.length && data[end] != 0) end++;
        return new String(data, (int) off, end - (int) off, StandardCharsets.UTF_8);
    }
}
