package dev.ktstr.vmm.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Host CPU time of a vCPU thread: {@code /proc/<pid>/task/<tid>/schedstat} (ns, first field),
 * else utime+stime from {@code stat} (clock ticks, USER_HZ = 100 on Linux).
 */
public final class VcpuClock implements AutoCloseable {
    private static final long USER_HZ = 100;

    private final long pid;
    private final long tid;
    private final java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(128);
    private java.nio.channels.FileChannel schedstat;

    /** A reader that keeps {@code schedstat} open: one pread per sample instead of open/read/close. */
    public VcpuClock(long pid, long tid) {
        this.pid = pid;
        this.tid = tid;
    }

    /** CPU time in ns, or -1 if the thread is gone. */
    public long read() {
        try {
            if (schedstat == null) {
                schedstat = java.nio.channels.FileChannel.open(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "schedstat"));
            }
            buf.clear();
            int n = schedstat.read(buf, 0);
            long v = 0;
            for (int i = 0; i < n; i++) {
                byte b = buf.get(i);
                if (b < '0' || b > '9') break;
                v = v * 10 + (b - '0');
            }
            return n > 0 ? v : cpuTimeNs(pid, tid);
        } catch (IOException e) {
            close();
            return cpuTimeNs(pid, tid);
        }
    }

    @Override
    public void close() {
        if (schedstat != null) {
            try {
                schedstat.close();
            } catch (IOException ignored) {
                // a /proc file
            }
            schedstat = null;
        }
    }

    /** CPU time in ns, or -1 if the thread is gone. */
    public static long cpuTimeNs(long pid, long tid) {
        Path task = Path.of("/proc", Long.toString(pid), "task", Long.toString(tid));
        try {
            String s = Files.readString(task.resolve("schedstat"));
            int sp = s.indexOf(' ');
            return Long.parseLong(sp < 0 ? s.strip() : s.substring(0, sp));
        } catch (IOException | NumberFormatException e) {
            try {
                String st = Files.readString(task.resolve("stat"));
                // comm may contain spaces; fields after the closing paren are space separated
                String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / USER_HZ);
            } catch (IOException | RuntimeException e2) {
                return -1;
            }
        }
    }
}
