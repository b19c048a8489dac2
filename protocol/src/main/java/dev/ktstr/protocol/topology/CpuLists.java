package dev.ktstr.protocol.topology;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** The kernel's list format for CPU and node sets ({@code 0-3,8}), as in cpuset.cpus and QEMU host-nodes. */
public final class CpuLists {
    private CpuLists() {}

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
