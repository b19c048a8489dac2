package dev.ktstr.vmm.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/** CRC-32 helpers used for cache keys and labels (the same hash the original tool uses). */
public final class Hashes {
    private Hashes() {}

    public static String crc32Hex(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return String.format("%08x", crc.getValue());
    }

    public static String crc32Hex(String text) {
        return crc32Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String crc32Hex(Path file) {
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) crc.update(buf, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return String.format("%08x", crc.getValue());
    }
}
