package dev.ktstr.vmm.btf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed raw BTF blob (the kernel's {@code .BTF} section, e.g. {@code vmlinux.btf} in the
 * kernel cache or {@code /sys/kernel/btf/vmlinux}). Struct layouts are looked up by name, so the
 * monitor never depends on offsets of one kernel version.
 */
public final class Btf {
    private static final int MAGIC = 0xeB9F;

    private final List<BtfType> types; // index = type id; 0 is void
    private final Map<String, List<Integer>> byName;

    private Btf(List<BtfType> types) {
        this.types = types;
        Map<String, List<Integer>> m = new HashMap<>();
        for (BtfType t : types) {
            if (t != null && !t.name().isEmpty()) m.computeIfAbsent(t.name(), k -> new ArrayList<>(1)).add(t.id());
        }
        this.byName = m;
    }

    public static Btf read(Path file) throws IOException, BtfException {
        if (!Files.isRegularFile(file)) {
            throw new BtfException("BTF file " + file + " does not exist: extract it with "
                    + "`objcopy -O binary --only-section=.BTF vmlinux vmlinux.btf` or use a kernel from the ktstr cache");
        }
        try {
            return parse(Files.readAllBytes(file));
        } catch (BtfException e) {
            throw new BtfException(file + ": " + e.getMessage());
        }
    }

    public static Btf parse(byte[] blob) throws BtfException {
        if (blob.length < 24) throw new BtfException("BTF blob is " + blob.length + " bytes, shorter than the 24-byte header");
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getShort(0) & 0xffff) != MAGIC) {
            b.order(ByteOrder.BIG_ENDIAN);
            if ((b.getShort(0) & 0xffff) != MAGIC) {
                throw new BtfException(String.format("not BTF: magic 0x%04x, expected 0xeb9f", b.order(ByteOrder.LITTLE_ENDIAN).getShort(0) & 0xffff));
            }
        }
        int version = b.get(2) & 0xff;
        if (version != 1) throw new BtfException("unsupported BTF version " + version + " (only version 1 exists)");
        long hdrLen = u32(b, 4);
        long typeOff = u32(b, 8);
        long typeLen = u32(b, 12);
        long strOff = u32(b, 16);
        long strLen = u32(b, 20);
        long typeStart = hdrLen + typeOff;
        long strStart = hdrLen + strOff;
        if (typeStart + typeLen > blob.length || strStart + strLen > blob.length) {
            throw new BtfException("BTF header points past the end of the blob (" + blob.length + " bytes): truncated file?");
        }
        Strings strings = new Strings(blob, (int) strStart, (int) strLen);
        List<BtfType> types = new ArrayList<>();
        types.add(new BtfType(0, BtfKind.UNKNOWN, "void", 0, 0, List.of(), 0, 0, Map.of()));
        int p = (int) typeStart;
        int end = (int) (typeStart + typeLen);
        while (p < end) {
            if (p + 12 > end) throw new BtfException("truncated BTF type record at byte " + p);
            int id = types.size();
            String name = strings.at(u32(b, p));
            long info = u32(b, p + 4);
            long sizeOrType = u32(b, p + 8);
            p += 12;
            int vlen = (int) (info & 0xffff);
            BtfKind kind = BtfKind.of((int) ((info >>> 24) & 0x1f));
            boolean kindFlag = (info >>> 31) != 0;
            List<BtfMember> members = List.of();
            Map<String, Long> enums = Map.of();
            int elem = 0;
            long nelems = 0;
            switch (kind) {
                case INT, VAR, DECL_TAG -> p += 4;
                case ARRAY -> {
                    elem = (int) u32(b, p);
                    nelems = u32(b, p + 8);
                    p += 12;
                }
                case STRUCT, UNION -> {
                    List<BtfMember> ms = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        long off = u32(b, p + 8);
                        long bitOff = kindFlag ? off & 0xffffff : off;
                        int bits = kindFlag ? (int) (off >>> 24) : 0;
                        ms.add(new BtfMember(strings.at(u32(b, p)), (int) u32(b, p + 4), bitOff, bits));
                        p += 12;
                    }
                    members = ms;
                }
                case ENUM, ENUM64 -> {
                    int rec = kind == BtfKind.ENUM ? 8 : 12;
                    Map<String, Long> e = new java.util.LinkedHashMap<>();
                    for (int i = 0; i < vlen; i++) {
                        // kind_flag marks a signed enum; the kernel's scheduler enums are all small
                        long v = kind == BtfKind.ENUM ? (kindFlag ? (long) b.getInt(p + 4) : u32(b, p + 4))
                                : (u32(b, p + 4) | u32(b, p + 8) << 32);
                        e.put(strings.at(u32(b, p)), v);
                        p += rec;
                    }
                    enums = e;
                }
                case FUNC_PROTO -> p += 8 * vlen;
                case DATASEC -> p += 12 * vlen;
                case PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG -> { }
                default -> throw new BtfException("unknown BTF kind " + ((info >>> 24) & 0x1f) + " for type id " + id
                        + ": this BTF is newer than the parser understands");
            }
            boolean hasSize = kind == BtfKind.INT || kind == BtfKind.STRUCT || kind == BtfKind.UNION || kind == BtfKind.ENUM
                    || kind == BtfKind.ENUM64 || kind == BtfKind.DATASEC || kind == BtfKind.FLOAT;
            types.add(new BtfType(id, kind, name, hasSize ? sizeOrType : 0, hasSize ? 0 : (int) sizeOrType, members, elem, nelems, enums));
        }
        if (p != end) throw new BtfException("BTF type section overruns its declared length");
        return new Btf(Collections.unmodifiableList(types));
    }

    public int typeCount() {
        return types.size() - 1;
    }

    public BtfType type(int id) throws BtfException {
        if (id < 0 || id >= types.size()) throw new BtfException("BTF type id " + id + " out of range (1.." + typeCount() + ")");
        return types.get(id);
    }

    /** The struct (not a forward declaration) with this name, if the kernel has it. */
    public Optional<BtfType> struct(String name) {
        return byKind(name, BtfKind.STRUCT);
    }

    public Optional<BtfType> byKind(String name, BtfKind kind) {
        for (int id : byName.getOrDefault(name, List.of())) {
            BtfType t = types.get(id);
            if (t.kind() == kind) return Optional.of(t);
        }
        return Optional.empty();
    }

    /** Value of enumerator {@code name} in {@code enum enumName}. */
    public long enumValue(String enumName, String name) throws BtfException {
        BtfType e = byKind(enumName, BtfKind.ENUM).or(() -> byKind(enumName, BtfKind.ENUM64))
                .orElseThrow(() -> new BtfException("the kernel's BTF has no enum " + enumName));
        Long v = e.enumerators().get(name);
        if (v == null) throw new BtfException("enum " + enumName + " has no enumerator " + name + "; it has " + e.enumerators().keySet());
        return v;
    }

    /** Follows typedefs and qualifiers to the type that has a layout. */
    public BtfType strip(int id) throws BtfException {
        BtfType t = type(id);
        for (int guard = 0; t.kind().isModifier(); guard++) {
            if (guard > 64) throw new BtfException("typedef/qualifier loop at BTF id " + id);
            t = type(t.refTypeId());
        }
        return t;
    }

    /** Byte size of a type (arrays multiply out; pointers are 8 bytes on 64-bit kernels). */
    public long sizeOf(int id) throws BtfException {
        BtfType t = strip(id);
        return switch (t.kind()) {
            case PTR -> 8;
            case ARRAY -> t.arrayLength() * sizeOf(t.arrayElemTypeId());
            default -> t.size();
        };
    }

    /**
     * Locates {@code path} (members separated by '.') inside {@code struct}. Members of anonymous
     * structs/unions are found as the C compiler finds them.
     */
    public ResolvedField resolve(String struct, String path) throws BtfException {
        BtfType s = struct(struct).orElseThrow(() -> new BtfException("the kernel's BTF has no struct " + struct));
        long bitOff = 0;
        BtfType cur = s;
        BtfMember last = null;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            if (!cur.isComposite()) {
                throw new BtfException("struct " + struct + ": '" + String.join(".", java.util.Arrays.copyOf(parts, i))
                        + "' is a " + cur.kind() + ", not a struct, so it has no member '" + parts[i] + "'");
            }
            long[] off = new long[1];
            BtfMember m = findMember(cur, parts[i], off, 0);
            if (m == null) {
                throw new BtfException("struct " + struct + " has no member '" + String.join(".", java.util.Arrays.copyOf(parts, i + 1))
                        + "' in this kernel's BTF");
            }
            bitOff += off[0];
            last = m;
            cur = strip(m.typeId());
        }
        if (last.bitfieldSize() == 0 && bitOff % 8 != 0) throw new BtfException("member " + path + " is not byte aligned");
        return new ResolvedField(path, bitOff / 8, sizeOf(last.typeId()), cur.name(), last.bitfieldSize() != 0);
    }

    private BtfMember findMember(BtfType composite, String name, long[] bitOff, int depth) throws BtfException {
        if (depth > 16) return null;
        for (BtfMember m : composite.members()) {
            if (m.name().equals(name)) {
                bitOff[0] = m.bitOffset();
                return m;
            }
        }
        for (BtfMember m : composite.members()) {
            if (!m.name().isEmpty()) continue;
            BtfType inner = strip(m.typeId());
            if (!inner.isComposite()) continue;
            long[] sub = new long[1];
            BtfMember found = findMember(inner, name, sub, depth + 1);
            if (found != null) {
                bitOff[0] = m.bitOffset() + sub[0];
                return found;
            }
        }
        return null;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffffffffL;
    }

    private static final class Strings {
        private final byte[] blob;
        private final int start;
        private final int len;

        Strings(byte[] blob, int start, int len) {
            this.blob = blob;
            this.start = start;
            this.len = len;
        }

        String at(long off) throws BtfException {
            if (off >= len) throw new BtfException("BTF string offset " + off + " outside the string section (" + len + " bytes)");
            int s = start + (int) off;
            int e = s;
            while (e < start + len && blob[e] != 0) e++;
            return new String(blob, s, e - s, StandardCharsets.UTF_8);
        }
    }
}
