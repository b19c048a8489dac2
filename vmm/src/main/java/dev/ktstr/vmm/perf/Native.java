package dev.ktstr.vmm.perf;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import java.util.Set;
import java.util.TreeSet;

/**
 * The few Linux system calls performance mode needs, on thread ids (tids) of any process we may
 * act on. Everything JNA is behind this class.
 */
public final class Native {
    public static final int SCHED_OTHER = 0;
    public static final int SCHED_FIFO = 1;
    private static final int EPERM = 1;
    private static final int MASK_WORDS = 16; // 1024 CPUs

    interface LibC extends Library {
        int sched_setaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;

        int sched_getaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;

        int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

        int sched_getscheduler(int pid) throws LastErrorException;

        int gettid();

        int mount(String source, String target, String fstype, long flags, String data) throws LastErrorException;
    }

    private static final class Holder {
        static final LibC C = com.sun.jna.Native.load("c", LibC.class);
    }

    private Native() {}

    /** Thrown when the caller lacks the privilege (CAP_SYS_NICE, rtprio rlimit, or the thread is not ours). */
    public static final class PermissionDenied extends Exception {
        PermissionDenied(String m) {
            super(m);
        }
    }

    public static void setAffinity(long tid, Set<Integer> cpus) throws PermissionDenied {
        if (cpus.isEmpty()) throw new IllegalArgumentException("empty CPU set for tid " + tid);
        long[] mask = new long[MASK_WORDS];
        for (int c : cpus) {
            if (c < 0 || c >= MASK_WORDS * 64) throw new IllegalArgumentException("CPU " + c + " beyond the supported " + MASK_WORDS * 64);
            mask[c / 64] |= 1L << (c % 64);
        }
        try {
            Holder.C.sched_setaffinity((int) tid, mask.length * 8L, mask);
        } catch (LastErrorException e) {
            throw error("sched_setaffinity(" + tid + ", " + HostTopology.renderList(cpus) + ")", e);
        }
    }

    public static Set<Integer> getAffinity(long tid) throws PermissionDenied {
        long[] mask = new long[MASK_WORDS];
        try {
            Holder.C.sched_getaffinity((int) tid, mask.length * 8L, mask);
        } catch (LastErrorException e) {
            throw error("sched_getaffinity(" + tid + ")", e);
        }
        Set<Integer> s = new TreeSet<>();
        for (int i = 0; i < MASK_WORDS * 64; i++) if ((mask[i / 64] & (1L << (i % 64))) != 0) s.add(i);
        return s;
    }

    /** The CPUs this process may run on. */
    public static Set<Integer> allowedCpus() {
        try {
            return getAffinity(0);
        } catch (PermissionDenied e) {
            throw new IllegalStateException(e);
        }
    }

    public static void setScheduler(long tid, int policy, int priority) throws PermissionDenied {
        try {
            Holder.C.sched_setscheduler((int) tid, policy, new int[] {priority});
        } catch (LastErrorException e) {
            throw error("sched_setscheduler(" + tid + ", " + (policy == SCHED_FIFO ? "SCHED_FIFO" : policy) + ", " + priority + ")", e);
        }
    }

    public static int getScheduler(long tid) throws PermissionDenied {
        try {
            return Holder.C.sched_getscheduler((int) tid);
        } catch (LastErrorException e) {
            throw error("sched_getscheduler(" + tid + ")", e);
        }
    }

    /** mount(2) without flags; for the hugetlbfs mount performance mode may create. */
    public static void mount(String source, java.nio.file.Path target, String fstype, String options) throws PermissionDenied {
        try {
            Holder.C.mount(source, target.toString(), fstype, 0, options);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EPERM) throw new PermissionDenied("mount -t " + fstype + " " + target + ": permission denied (needs CAP_SYS_ADMIN)");
            throw new IllegalStateException("mount -t " + fstype + " -o " + options + " " + target + " failed: errno " + e.getErrorCode(), e);
        }
    }

    /** The calling thread's kernel thread id. */
    public static long currentTid() {
        return Holder.C.gettid();
    }

    private static PermissionDenied error(String call, LastErrorException e) {
        String why = e.getErrorCode() == EPERM
                ? "permission denied (needs CAP_SYS_NICE or an rtprio rlimit, and the thread must be ours)"
                : "errno " + e.getErrorCode();
        if (e.getErrorCode() == EPERM) return new PermissionDenied(call + ": " + why);
        throw new IllegalStateException(call + " failed: " + why, e);
    }
}
