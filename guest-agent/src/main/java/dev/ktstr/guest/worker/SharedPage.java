package dev.ktstr.guest.worker;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A page of a file mapped MAP_SHARED by every worker of a group (futex words, stamps, counters).
 * Atomic access goes through VarHandles on the direct buffer; {@link #address} gives the native
 * address a futex syscall needs. Cross-process futexes must use the shared (non-PRIVATE) ops.
 */
final class SharedPage implements AutoCloseable {
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    final MappedByteBuffer buf;
    final long address;
    private final RandomAccessFile file;

    SharedPage(Path path, int size) throws IOException {
        file = new RandomAccessFile(path.toFile(), "rw");
        if (file.length() < size) file.setLength(size);
        buf = file.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, size);
        Pointer p = Native.getDirectBufferPointer(buf);
        address = Pointer.nativeValue(p);
    }

    int getInt(int off) {
        return (int) INT.getVolatile(buf, off);
    }

    void setInt(int off, int v) {
        INT.setVolatile(buf, off, v);
    }

    boolean casInt(int off, int expect, int v) {
        return INT.compareAndSet(buf, off, expect, v);
    }

    long getLong(int off) {
        return (long) LONG.getVolatile(buf, off);
    }

    void setLong(int off, long v) {
        LONG.setVolatile(buf, off, v);
    }

    void setLongOpaque(int off, long v) {
        LONG.setOpaque(buf, off, v);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
