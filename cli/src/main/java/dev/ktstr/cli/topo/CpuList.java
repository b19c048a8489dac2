package dev.ktstr.cli.topo;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The kernel's CPU list format: "0-3,8,10-11". */
final class CpuList {
    private CpuList() {}

    static List<Integer> parse(String text) {
        TreeSet<Integer> cpus = new TreeSet<>();
        String t = text.trim();
        if (t.isEmpty()) return List.of();
        for (String part : t.split(",")) {
            String[] r = part.trim().split("-");
            int a = Integer.parseInt(r[0].trim());
            int b = r.length > 1 ? Integer.parseInt(r[1].trim()) : a;
            if (b < a) throw new IllegalArgumentException("bad CPU range '" + part + "' in '" + text + "'");
            for (int c = a; c <= b; c++) cpus.add(c);
        }
        return List.copyOf(cpus);
    }

    static String format(List<Integer> cpus) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(cpus));
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) j++;
            parts.add(i == j ? String.valueOf(sorted.get(i)) : sorted.get(i) + "-" + sorted.get(j));
            i = j + 1;
        }
        return String.join(",", parts);
    }
}
