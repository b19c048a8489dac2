package dev.ktstr.coordinator.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Replicated variants: a variant run N times is N jobs named {@code {variant}#r{k}} (k = 1..N), each
 * its own VM and sidecar; the sidecars keep the variant's own name and carry the replica index, so
 * {@code stats compare} treats them as samples of one variant. A variant run once keeps its name.
 * The budget counts a replicated variant at N times its cost, so a budget buys whole replica sets.
 */
public final class Replicas {
    static final String SEP = "#r";

    private Replicas() {}

    public static String name(String variant, int replica) {
        return variant + SEP + replica;
    }

    /** The replica index of a job's variant name, 0 when it is no replica. */
    public static int index(String jobVariantName) {
        int at = jobVariantName.lastIndexOf(SEP);
        if (at < 0) return 0;
        String k = jobVariantName.substring(at + SEP.length());
        if (k.isEmpty() || k.length() > 3 || !k.chars().allMatch(Character::isDigit)) return 0;
        return Integer.parseInt(k);
    }

    /** The variant's own name of a job's variant name. */
    public static String variant(String jobVariantName) {
        return index(jobVariantName) == 0 ? jobVariantName : jobVariantName.substring(0, jobVariantName.lastIndexOf(SEP));
    }

    /** Each variant at {@code count} times its cost, for the budget to weigh whole replica sets. */
    public static List<Variant> weigh(List<Variant> variants, ToIntFunction<Variant> count) {
        List<Variant> out = new ArrayList<>(variants.size());
        for (Variant v : variants) {
            int n = count.applyAsInt(v);
            out.add(n == 1 ? v : v.withEstimatedSecs(v.estimatedSecs() * n));
        }
        return out;
    }

    /** Each variant of {@link #weigh} {@code count} times, replicas of one variant adjacent, each at one run's cost. */
    public static List<Variant> expand(List<Variant> weighed, ToIntFunction<Variant> count) {
        List<Variant> out = new ArrayList<>();
        for (Variant v : weighed) {
            int n = count.applyAsInt(v);
            if (n == 1) {
                out.add(v);
                continue;
            }
            double each = v.estimatedSecs() / n;
            for (int k = 1; k <= n; k++) out.add(v.withEstimatedSecs(each).withName(name(v.name(), k)));
        }
        return out;
    }
}
