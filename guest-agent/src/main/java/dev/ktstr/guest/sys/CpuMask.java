package dev.ktstr.guest.sys;

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

    /** Parses "0-3,5,7-9" (empty string: no CPUs). */
    public static BitSet parseList(String text) {
        BitSet s = new BitSet();
        String t = text.trim();
        if (t.isEmpty()) return s;
        for (String part : t.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-');
                if (dash < 0) {
                    s.set(Integer.parseInt(p));
                } else {
                    int lo = Integer.parseInt(p.substring(0, dash));
                    int hi = Integer.parseInt(p.substring(dash + 1));
                    if (hi < lo) throw new IllegalArgumentException("descending CPU range '" + p + "' in '" + text + "'");
                    s.set(lo, hi + 1);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CPU list '" + text + "': '" + p + "' is not a number or range", e);
            }
        }
        return s;
    }

    public static String render(BitSet cpus) {
        StringBuilder b = new StringBuilder();
        int c = cpus.nextSetBit(0);
        while (c >= 0) {
            int end = cpus.nextClearBit(c) - 1;
            if (b.length() > 0) b.append(',');
            b.append(c);
            if (end > c) b.append('-').append(end);
            c = cpus.nextSetBit(end + 1);
        }
        return b.toString();
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
