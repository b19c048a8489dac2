package dev.ktstr.protocol.topology;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The kernel's list format for CPU and node sets ({@code 0-3,8}), as in cpuset.cpus, sysfs
 * {@code cpulist}/{@code shared_cpu_list} and QEMU host-nodes: the one parser and the one renderer.
 * Lists come from /sys, the guest and users, so bad input gets one error naming the list and the part.
 */
public final class CpuLists {
    /** Above any kernel's NR_CPUS (8192): a bigger id is a corrupt list, not a machine. */
    public static final int MAX_ID = 65_535;

    private CpuLists() {}

    /**
     * Parses {@code 0-3,5,7-9} (blanks around parts allowed; empty or blank: no CPUs).
     *
     * @throws IllegalArgumentException naming the list and the offending part
     */
    public static TreeSet<Integer> parse(String text) {
        TreeSet<Integer> out = new TreeSet<>();
        if (text == null) throw new IllegalArgumentException("malformed cpu list: null (expected e.g. 0-3,8)");
        String t = text.strip();
        if (t.isEmpty()) return out;
        for (String part : t.split(",", -1)) {
            String p = part.strip();
            int dash = p.indexOf('-');
            int lo;
            int hi;
            try {
                lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).strip());
                hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1).strip());
            } catch (NumberFormatException e) {
                throw bad(text, p, "is not a number or range");
            }
            if (lo < 0 || hi > MAX_ID) throw bad(text, p, "is outside 0-" + MAX_ID);
            if (hi < lo) throw bad(text, p, "is a descending range");
            for (int i = lo; i <= hi; i++) out.add(i);
        }
        return out;
    }

    private static IllegalArgumentException bad(String text, String part, String why) {
        return new IllegalArgumentException("malformed cpu list '" + text + "': '" + part + "' " + why + " (expected e.g. 0-3,8)");
    }

    public static String format(Collection<Integer> ids) {
        List<Integer> l = new ArrayList<>(new TreeSet<>(ids));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < l.size(); ) {
            int j = i;
            while (j + 1 < l.size() && l.get(j + 1) == l.get(j) + 1) j++;
            parts.add(i == j ? Integer.toString(l.get(i)) : l.get(i) + "-" + l.get(j));
            i = j + 1;
        }
        return String.join(",", parts);
    }
}
