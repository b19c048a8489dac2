package dev.ktstr.guest.sys;

import dev.ktstr.protocol.topology.CpuLists;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** CPU set helpers: kernel cpu_set_t as long words, and the cgroupfs list format ("0-3,5"). */
public final class CpuMask {
    /** 1024 CPUs, glibc's CPU_SETSIZE. */
    public static final int WORDS = 16;
    public static final long BYTES = WORDS * 8L;

    private CpuMask() {}

    public static long[] toWords(BitSet cpus) {
        long[] w = new long[WORDS];
        for (int c = cpus.nextSetBit(0); c >= 0; c = cpus.nextSetBit(c + 1)) {
            if (c >= WORDS * 64) throw new IllegalArgumentException("CPU " + c + " exceeds the 1024-CPU mask");
            w[c >>> 6] |= 1L << (c & 63);
        }
        return w;
    }

    public static BitSet fromWords(long[] words) {
        return BitSet.valueOf(words);
    }

    /** Parses "0-3,5,7-9" (empty string: no CPUs) with the one CPU-list parser ({@link CpuLists#parse}). */
    public static BitSet parseList(String text) {
        BitSet s = new BitSet();
        CpuLists.parse(text).forEach(s::set);
        return s;
    }

    public static String render(BitSet cpus) {
        return CpuLists.format(cpus.stream().boxed().toList());
    }

    public static List<Integer> toList(BitSet cpus) {
        List<Integer> l = new ArrayList<>();
        cpus.stream().forEach(l::add);
        return l;
    }

    public static BitSet of(Iterable<Integer> cpus) {
        BitSet s = new BitSet();
        for (int c : cpus) s.set(c);
        return s;
    }
}
