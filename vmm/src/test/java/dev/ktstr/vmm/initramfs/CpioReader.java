package dev.ktstr.vmm.initramfs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.apache.commons.compress.compressors.lz4.BlockLZ4CompressorInputStream;

/** Test helper: reads archives back with commons-compress's reader (an independent check of the writer). */
final class CpioReader {
    private CpioReader() {}

    record Entry(String name, long mode, byte[] data, long rdevMaj, long rdevMin, long mtime) {
        long type() {
            return mode & CpioConstants.S_IFMT;
        }

        int perm() {
            return (int) (mode & 07777);
        }

        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** Entries of one archive in order, stopping at its trailer. */
    static List<Entry> read(InputStream in) throws IOException {
        List<Entry> out = new ArrayList<>();
        CpioArchiveInputStream cpio = new CpioArchiveInputStream(in);
        CpioArchiveEntry e;
        while ((e = cpio.getNextEntry()) != null) {
            out.add(new Entry(e.getName(), e.getMode(), cpio.readAllBytes(), e.getRemoteDeviceMaj(), e.getRemoteDeviceMin(), e.getTime()));
        }
        return out;
    }

    static List<Entry> read(byte[] b, int from, int to) throws IOException {
        return read(new ByteArrayInputStream(Arrays.copyOfRange(b, from, to)));
    }

    static Map<String, Entry> byName(List<Entry> entries) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Entry e : entries) m.put(e.name(), e);
        return m;
    }

    static byte[] gunzip(byte[] b, int from, int to) throws IOException {
        try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(Arrays.copyOfRange(b, from, to)))) {
            return gz.readAllBytes();
        }
    }

    /** Decodes the LZ4 legacy container; returns the payload and (via end[0]) where the stream's end marker finishes. */
    static byte[] unlz4Legacy(byte[] b, int[] end) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt(0) != Lz4LegacyOutputStream.MAGIC) throw new IOException("no lz4 legacy magic");
        int pos = 4;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (true) {
            int n = buf.getInt(pos);
            pos += 4;
            if (n == 0) break;
            try (BlockLZ4CompressorInputStream lz = new BlockLZ4CompressorInputStream(new ByteArrayInputStream(b, pos, n))) {
                byte[] chunk = lz.readAllBytes();
                if (chunk.length > Lz4LegacyOutputStream.BLOCK) throw new IOException("chunk over 8 MiB");
                out.writeBytes(chunk);
            }
            pos += n;
        }
        end[0] = pos;
        return out.toByteArray();
    }
}
