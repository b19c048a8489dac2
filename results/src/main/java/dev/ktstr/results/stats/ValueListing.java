package dev.ktstr.results.stats;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** {@code ktstr stats list-values}: distinct values per dimension; null means "not recorded". */
public final class ValueListing {
    private ValueListing() {}

    public static Map<String, List<String>> values(LoadResult pool) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Dimension d : Dimension.values()) {
            TreeSet<String> vals = new TreeSet<>();
            boolean sawNull = false;
            for (LoadedSidecar r : pool.sidecars()) {
                if (d == Dimension.FLAGS) {
                    vals.addAll(r.sidecar().activeFlags());
                    continue;
                }
                String v = d.valueOf(r);
                if (v == null) {
                    sawNull = true;
                } else {
                    vals.add(v);
                }
            }
            List<String> l = new ArrayList<>(vals);
            if (sawNull) {
                l.add(null);
            }
            out.put(d.key(), l);
        }
        return out;
    }

    public static String text(LoadResult pool) {
        StringBuilder sb = new StringBuilder();
        values(pool).forEach((k, v) -> sb.append(String.format("%-14s %s%n", k,
                v.isEmpty() ? "-" : String.join(", ", v.stream().map(x -> x == null ? "(not recorded)" : x).toList()))));
        problems(sb, pool);
        return sb.toString();
    }

    public static String json(LoadResult pool) {
        ObjectNode root = SidecarCodec.mapper().createObjectNode();
        values(pool).forEach((k, v) -> {
            ArrayNode a = root.putArray(k);
            v.forEach(x -> {
                if (x == null) {
                    a.addNull();
                } else {
                    a.add(x);
                }
            });
        });
        return root.toPrettyString() + "\n";
    }

    static void problems(StringBuilder sb, LoadResult pool) {
        if (!pool.problems().isEmpty()) {
            sb.append("\ncorrupt sidecars (").append(pool.problems().size()).append("), skipped:\n");
            pool.problems().forEach(p -> sb.append("  ").append(p.message()).append('\n'));
        }
    }
}
