package dev.ktstr.vmm.initramfs;

import java.io.IOException;
import java.io.OutputStream;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * The LZ4 "legacy" container the kernel's initramfs decompressor reads (lib/decompress_unlz4.c):
 * magic 0x184C2102, then blocks of (u32 LE compressed size, raw LZ4 block of at most 8 MiB input).
 * lz4-java provides the raw block codec (its frame streams are the modern format), so the container
 * is written here. A zero block size ends the stream so a plain cpio may follow (unlz4 stops at it).
 */
final class Lz4LegacyOutputStream extends OutputStream {
    static final int MAGIC = 0x184C2102;
    static final int BLOCK = 8 << 20;

    private final OutputStream out;
    private final byte[] buf = new byte[BLOCK];
    private final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
    private final byte[] packed = new byte[compressor.maxCompressedLength(BLOCK)];
    private int fill;
    private boolean closed;

    Lz4LegacyOutputStream(OutputStream out) throws IOException {
        this.out = out;
        writeLe32(MAGIC);
    }

    @Override
    public void write(int b) throws IOException {
        if (fill == BLOCK) flushBlock();
        buf[fill++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (fill == BLOCK) flushBlock();
            int n = Math.min(len, BLOCK - fill);
            System.arraycopy(b, off, buf, fill, n);
            fill += n;
            off += n;
            len -= n;
        }
    }

    private void flushBlock() throws IOException {
        if (fill == 0) return;
        int n = compressor.compress(buf, 0, fill, packed, 0, packed.length);
        writeLe32(n);
        out.write(packed, 0, n);
        fill = 0;
    }

    /** Ends the LZ4 stream (end marker) without closing the underlying stream. */
    void finish() throws IOException {
        if (closed) return;
        flushBlock();
        writeLe32(0);
        closed = true;
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }

    private void writeLe32(int v) throws IOException {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
