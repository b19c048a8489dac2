package dev.ktstr.vmm.monitor;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest RAM mapped from QEMU's shared backing file(s). Reads and writes are bounds-checked and
 * use volatile access for aligned words, so the host sees what the vCPUs last stored and a write
 * is visible to the guest at once. Nothing here stops or signals the guest.
 */
public final class GuestMemory implements AutoCloseable {
    private static final long CHUNK = 1L << 30;
    private static final VarHandle U64 = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private record Mapped(long guestPhysStart, long size, ByteBuffer buf) {}

    private final List<Mapped> maps;
    private final List<FileChannel> channels;
    private final long totalBytes;
    private volatile boolean closed;

    private GuestMemory(List<Mapped> maps, List<FileChannel> channels) {
        this.maps = maps;
        this.channels = channels;
        this.totalBytes = maps.stream().mapToLong(Mapped::size).sum();
    }

    /** Maps the given regions read-write (MAP_SHARED), in 1 GiB pieces. */
    public static GuestMemory map(List<RamRegion> regions) throws IOException {
        List<Mapped> maps = new ArrayList<>();
        List<FileChannel> chans = new ArrayList<>();
        java.util.Map<Path, FileChannel> open = new java.util.HashMap<>();
        try {
            for (RamRegion r : regions) {
                FileChannel ch = open.get(r.file());
                if (ch == null) {
                    if (!Files.isRegularFile(r.file())) {
                        throw new java.nio.file.NoSuchFileException(r.file().toString(), null,
                                "guest RAM file missing: the VM must run with shared-file RAM (VmSpec.sharedMemoryDir)");
                    }
                    ch = FileChannel.open(r.file(), StandardOpenOption.READ, StandardOpenOption.WRITE);
                    open.put(r.file(), ch);
                    chans.add(ch);
                }
                if (ch.size() < r.fileOffset() + r.size()) {
                    throw new IOException("guest RAM file " + r.file() + " is " + ch.size() + " bytes, shorter than the "
                            + (r.fileOffset() + r.size()) + " the RAM layout needs: is the VM's memory size right?");
                }
                for (long off = 0; off < r.size(); off += CHUNK) {
                    long len = Math.min(CHUNK, r.size() - off);
                    MappedByteBuffer mb = ch.map(FileChannel.MapMode.READ_WRITE, r.fileOffset() + off, len);
                    maps.add(new Mapped(r.guestPhysStart() + off, len, mb.order(ByteOrder.LITTLE_ENDIAN)));
                }
            }
        } catch (IOException | RuntimeException e) {
            for (FileChannel c : chans) c.close();
            throw e;
        }
        return new GuestMemory(List.copyOf(maps), chans);
    }

    public long totalBytes() {
        return totalBytes;
    }

    private Mapped find(long pa, int len) throws GuestMemoryException {
        if (closed) throw new GuestMemoryException("guest memory is closed");
        for (Mapped m : maps) {
            if (pa >= m.guestPhysStart() && pa + len <= m.guestPhysStart() + m.size()) return m;
        }
        throw new GuestMemoryException(String.format("guest-physical 0x%x (+%d) is outside guest RAM", pa, len));
    }

    public long readU64(long pa) throws GuestMemoryException {
        Mapped m = find(pa, 8);
        int i = (int) (pa - m.guestPhysStart());
        return (i & 7) == 0 ? (long) U64.getVolatile(m.buf(), i) : m.buf().getLong(i);
    }

    public int readU32(long pa) throws GuestMemoryException {
        Mapped m = find(pa, 4);
        int i = (int) (pa - m.guestPhysStart());
        return (i & 3) == 0 ? (int) U32.getVolatile(m.buf(), i) : m.buf().getInt(i);
    }

    public byte[] read(long pa, int len) throws GuestMemoryException {
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            // reads may cross a 1 GiB piece boundary (kernel config data, strings)
            Mapped m = find(pa + done, 1);
            int i = (int) (pa + done - m.guestPhysStart());
            int n = (int) Math.min(len - done, m.size() - i);
            m.buf().get(i, out, done, n);
            done += n;
        }
        return out;
    }

    public void writeU64(long pa, long value) throws GuestMemoryException {
        Mapped m = find(pa, 8);
        int i = (int) (pa - m.guestPhysStart());
        if ((i & 7) != 0) throw new GuestMemoryException(String.format("unaligned 8-byte write at 0x%x", pa));
        U64.setVolatile(m.buf(), i, value);
    }

    public void writeU32(long pa, int value) throws GuestMemoryException {
        Mapped m = find(pa, 4);
        int i = (int) (pa - m.guestPhysStart());
        if ((i & 3) != 0) throw new GuestMemoryException(String.format("unaligned 4-byte write at 0x%x", pa));
        U32.setVolatile(m.buf(), i, value);
    }

    /**
     * Unmaps at once (a guest's RAM would otherwise stay resident in tmpfs until a GC runs, even
     * after QEMU deleted the file). Callers must have stopped every reader first.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        for (FileChannel c : channels) c.close();
        try {
            java.lang.reflect.Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            java.lang.reflect.Method clean = unsafe.getClass().getMethod("invokeCleaner", ByteBuffer.class);
            for (Mapped m : maps) clean.invoke(unsafe, m.buf());
        } catch (ReflectiveOperationException | RuntimeException e) {
            // jdk.unsupported missing: the mapping goes when the buffers are collected
        }
    }
}
