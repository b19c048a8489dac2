package dev.ktstr.guest.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * libc calls the workers and the agent need, bound with JNA direct mapping: a direct call with
 * primitive and primitive-array arguments allocates no Java objects, which the worker hot loops
 * rely on. x86_64 Linux syscall numbers are used for calls glibc does not wrap.
 */
public final class LibC {
    public static final int SCHED_OTHER = 0;
    public static final int SCHED_FIFO = 1;
    public static final int SCHED_RR = 2;
    public static final int SCHED_BATCH = 3;
    public static final int SCHED_IDLE = 5;

    public static final int PRIO_PROCESS = 0;
    public static final int SIGKILL = 9;
    public static final int SIGUSR2 = 12;
    public static final int SIGTERM = 15;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final long MAP_FAILED = -1L;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_NOHUGEPAGE = 15;

    public static final long SYS_GETTID = 186;
    public static final long SYS_FUTEX = 202;
    public static final long SYS_SET_MEMPOLICY = 238;
    public static final int FUTEX_WAIT = 0;
    public static final int FUTEX_WAKE = 1;

    private static final boolean AVAILABLE;
    private static final Throwable LOAD_ERROR;

    static {
        boolean ok = false;
        Throwable err = null;
        if (Platform.isLinux()) {
            try {
                Native.register(LibC.class, Platform.C_LIBRARY_NAME);
                ok = true;
            } catch (Throwable t) {
                err = t;
            }
        } else {
            err = new UnsupportedOperationException("libc bindings need Linux, this is " + System.getProperty("os.name"));
        }
        AVAILABLE = ok;
        LOAD_ERROR = err;
    }

    private LibC() {}

    /** Throws a clear error when JNA could not bind libc (wrong OS, missing jnidispatch). */
    public static void require() {
        if (!AVAILABLE) throw new IllegalStateException("libc bindings unavailable: " + LOAD_ERROR, LOAD_ERROR);
    }

    public static native int getpid();
    public static native int mount(String source, String target, String fstype, long flags, String data);
    public static native int sched_getcpu();
    public static native int sched_yield();
    public static native int sched_setaffinity(int pid, long cpusetsize, long[] mask);
    public static native int sched_getaffinity(int pid, long cpusetsize, long[] mask);
    /** {@code param} is struct sched_param: one int, the priority. */
    public static native int sched_setscheduler(int pid, int policy, int[] param);
    public static native int sched_getscheduler(int pid);
    public static native int setpriority(int which, int who, int prio);
    public static native int kill(int pid, int sig);
    public static native int usleep(int usec);
    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);
    public static native int munmap(long addr, long length);
    public static native int madvise(long addr, long length, int advice);
    /** Fixed-arity view of syscall(2); on x86_64 the variadic and fixed calling conventions agree for integer args. */
    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5);

    public static int gettid() {
        return (int) syscall(SYS_GETTID, 0, 0, 0, 0, 0);
    }

    public static int errno() {
        return Native.getLastError();
    }

    /** FUTEX_WAIT (shared, not PRIVATE: the word lives in a page shared between processes). */
    public static long futexWait(long addr, int expected, long timeoutStructAddr) {
        return syscall(SYS_FUTEX, addr, FUTEX_WAIT, expected, timeoutStructAddr, 0);
    }

    public static long futexWake(long addr, int count) {
        return syscall(SYS_FUTEX, addr, FUTEX_WAKE, count, 0, 0);
    }
}
