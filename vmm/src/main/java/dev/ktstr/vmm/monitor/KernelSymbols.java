package dev.ktstr.vmm.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Kernel symbol addresses from {@code System.map}. Valid for a guest booted with {@code nokaslr}
 * (the command line the VMM always uses); with KASLR every address would be shifted.
 */
public final class KernelSymbols {
    private final Map<String, Long> addresses;

    private KernelSymbols(Map<String, Long> addresses) {
        this.addresses = Map.copyOf(addresses);
    }

    public static KernelSymbols read(Path systemMap) throws IOException {
        if (!Files.isRegularFile(systemMap)) {
            throw new java.nio.file.NoSuchFileException(systemMap.toString(), null,
                    "System.map not found: the host monitor needs the guest kernel's System.map (kept next to the image in the kernel cache)");
        }
        try (BufferedReader r = Files.newBufferedReader(systemMap, StandardCharsets.US_ASCII)) {
            return parse(r);
        }
    }

    static KernelSymbols parse(BufferedReader r) throws IOException {
        Map<String, Long> m = new HashMap<>();
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            // "ffffffff81000000 T _text"; the first definition of a name wins (static duplicates exist)
            int a = line.indexOf(' ');
            int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
            if (a != 16 || b != a + 2) {
                if (line.isBlank()) continue;
                throw new IOException("System.map line " + n + " is not '<16 hex digits> <type> <name>': " + line);
            }
            m.putIfAbsent(line.substring(b + 1), Long.parseUnsignedLong(line.substring(0, a), 16));
        }
        if (m.isEmpty()) throw new IOException("System.map is empty");
        return new KernelSymbols(m);
    }

    public static KernelSymbols of(Map<String, Long> addresses) {
        return new KernelSymbols(addresses);
    }

    public OptionalLong address(String name) {
        Long v = addresses.get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public long require(String name) throws GuestMemoryException {
        Long v = addresses.get(name);
        if (v == null) throw new GuestMemoryException("the guest kernel's System.map has no symbol '" + name + "'");
        return v;
    }
}
