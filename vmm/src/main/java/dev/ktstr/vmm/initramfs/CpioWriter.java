package dev.ktstr.vmm.initramfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/** Writes a {@link GuestTree} as one cpio "newc" archive (owner root, trailer padded to 512 bytes). */
final class CpioWriter {
    private CpioWriter() {}

    /** Written last into the base so the guest can tell an extraction that ran out of memory (ktstr-spec §10.4). */
    static final String SENTINEL = ".ktstr_init_ok";

    static void write(GuestTree tree, OutputStream out, boolean sentinel) throws IOException {
        // Not closed: closing would close the caller's stream; finish() writes the trailer and padding.
        @SuppressWarnings("resource")
        CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW,
                CpioConstants.BLOCK_SIZE, StandardCharsets.UTF_8.name());
        for (Map.Entry<String, GuestNode> e : tree.entries().entrySet()) {
            writeEntry(cpio, e.getKey(), e.getValue());
        }
        if (sentinel) writeEntry(cpio, SENTINEL, new GuestNode.Bytes(new byte[0], 0644, "sentinel"));
        cpio.finish();
    }

    private static void writeEntry(CpioArchiveOutputStream cpio, String name, GuestNode node) throws IOException {
        CpioArchiveEntry entry = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        entry.setUID(0);
        entry.setGID(0);
        entry.setTime(node.mtime());
        entry.setNumberOfLinks(node instanceof GuestNode.Dir ? 2 : 1);
        byte[] data = null;
        if (node instanceof GuestNode.Dir) {
            entry.setMode(CpioConstants.C_ISDIR | node.perm());
        } else if (node instanceof GuestNode.HostFile f) {
            entry.setMode(CpioConstants.C_ISREG | f.perm());
            entry.setSize(f.size());
        } else if (node instanceof GuestNode.Bytes b) {
            entry.setMode(CpioConstants.C_ISREG | b.perm());
            data = b.data();
            entry.setSize(data.length);
        } else if (node instanceof GuestNode.Symlink s) {
            entry.setMode(CpioConstants.C_ISLNK | 0777);
            data = s.target().getBytes(StandardCharsets.UTF_8);
            entry.setSize(data.length);
        } else if (node instanceof GuestNode.CharDevice c) {
            entry.setMode(CpioConstants.C_ISCHR | c.perm());
            entry.setRemoteDeviceMaj(c.major());
            entry.setRemoteDeviceMin(c.minor());
        }
        cpio.putArchiveEntry(entry);
        if (data != null) {
            cpio.write(data);
        } else if (node instanceof GuestNode.HostFile f) {
            try (InputStream in = Files.newInputStream(f.source())) {
                long n = in.transferTo(cpio);
                if (n != f.size()) {
                    throw new IOException(f.source() + " changed size while the initramfs was written (" + f.size() + " -> " + n + " bytes); retry");
                }
            }
        }
        cpio.closeArchiveEntry();
    }
}
