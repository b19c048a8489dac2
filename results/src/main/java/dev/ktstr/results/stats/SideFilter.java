package dev.ktstr.results.stats;

import dev.ktstr.results.LoadedSidecar;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One side's filter: per dimension a set of accepted values (OR), for {@link Dimension#FLAGS} a set
 * of flags that must all be active (AND). An absent dimension accepts everything; a row whose value
 * is null never matches a populated filter.
 */
public record SideFilter(Map<Dimension, Set<String>> values) {
    public SideFilter {
        EnumMap<Dimension, Set<String>> copy = new EnumMap<>(Dimension.class);
        values.forEach((d, v) -> {
            if (v != null && !v.isEmpty()) {
                copy.put(d, Set.copyOf(new TreeSet<>(v)));
            }
        });
        values = copy;
    }

    public static SideFilter none() {
        return new SideFilter(Map.of());
    }

    public Set<String> get(Dimension d) {
        return values.getOrDefault(d, Set.of());
    }

    /** Shared filter overlaid by this side's own values, dimension by dimension. */
    public static SideFilter effective(SideFilter shared, SideFilter side) {
        EnumMap<Dimension, Set<String>> m = new EnumMap<>(Dimension.class);
        m.putAll(shared.values());
        m.putAll(side.values());
        return new SideFilter(m);
    }

    /** Commit filters expanded from revspecs to 7-hex commits. */
    SideFilter resolveCommits(CommitResolver resolver) {
        EnumMap<Dimension, Set<String>> m = new EnumMap<>(values);
        Set<String> commits = values.get(Dimension.COMMIT);
        if (commits != null) {
            Set<String> out = new LinkedHashSet<>();
            commits.forEach(c -> out.addAll(resolver.resolve(c)));
            m.put(Dimension.COMMIT, out);
        }
        return new SideFilter(m);
    }

    public boolean matches(LoadedSidecar row) {
        for (Map.Entry<Dimension, Set<String>> e : values.entrySet()) {
            Dimension d = e.getKey();
            if (d == Dimension.FLAGS) {
                if (!row.sidecar().activeFlags().containsAll(e.getValue())) {
                    return false;
                }
                continue;
            }
            String v = d.valueOf(row);
            if (v == null || e.getValue().stream().noneMatch(f -> matchesOne(d, f, v))) {
                return false;
            }
        }
        return true;
    }

    static boolean matchesOne(Dimension d, String filter, String value) {
        return switch (d) {
            case KERNEL -> kernelMatches(filter, value);
            case COMMIT, KERNEL_COMMIT -> value.equals(filter)
                    || (!filter.endsWith("-dirty") && value.equals(filter + "-dirty"));
            // whole ids: "R" must not also select a run named "R-x4" (the CLI resolves unique prefixes first)
            case RUN -> value.equals(filter);
            default -> value.equals(filter);
        };
    }

    /** "6.12" matches every 6.12.x; three segments or an -rc suffix match exactly (spec §8.4). */
    static boolean kernelMatches(String filter, String value) {
        if (filter.split("\\.").length >= 3 || filter.contains("-rc")) {
            return value.equals(filter);
        }
        return value.equals(filter) || value.startsWith(filter + ".") || value.startsWith(filter + "-");
    }

    /** Human text, e.g. {@code kernel=6.12 scheduler=scx_qmap}. */
    public String describe() {
        if (values.isEmpty()) {
            return "(all)";
        }
        List<String> parts = new ArrayList<>();
        values.forEach((d, v) -> parts.add(d.key() + "=" + String.join(d == Dimension.FLAGS ? "+" : "|", v)));
        return String.join(" ", parts);
    }
}
