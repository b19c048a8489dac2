package dev.ktstr.coordinator.plan;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Budget-based selection (ktstr-spec §7): greedy maximum coverage per second. Each round picks,
 * among unused variants that fit the remaining budget and add at least one uncovered feature bit,
 * the highest {@code new bits / estimated seconds} (zero-cost: new bits x 1e6), ties to the
 * lexicographically smaller name. The result keeps the input order.
 * <p>With {@code fill} (ours, not the spec's: {@code KTSTR_BUDGET_FILL=1}), the budget left once
 * nothing adds coverage is spent on the remaining variants in plan order (the order the suite
 * declares them), each that still fits. The spec stops at full coverage, which leaves most of a CI
 * job's time unused when a few variants cover every configuration bit. A gauntlet run always fills
 * (its point is breadth), over {@link #interleaveByTest} order.
 */
public final class BudgetSelector {

    private BudgetSelector() {}

    public static BudgetSelection select(List<Variant> candidates, double budgetSecs) {
        return select(candidates, budgetSecs, false);
    }

    public static BudgetSelection select(List<Variant> candidates, double budgetSecs, boolean fill) {
        int n = candidates.size();
        String[] names = new String[n];
        long[] features = new long[n];
        double[] costs = new double[n];
        for (int i = 0; i < n; i++) {
            Variant v = candidates.get(i);
            names[i] = v.name();
            features[i] = FeatureBits.of(v);
            costs[i] = v.estimatedSecs();
        }
        boolean[] used = greedy(names, features, costs, budgetSecs);
        int filled = fill ? fill(used, costs, budgetSecs) : 0;
        List<Variant> selected = new ArrayList<>();
        long covered = 0;
        long possible = 0;
        double spent = 0;
        for (int i = 0; i < n; i++) {
            possible |= features[i];
            if (used[i]) {
                selected.add(candidates.get(i));
                covered |= features[i];
                spent += costs[i];
            }
        }
        return new BudgetSelection(selected, n, spent, budgetSecs, Long.bitCount(covered), Long.bitCount(possible), filled);
    }

    /**
     * The variants reordered so a fill spreads over the suite: the first gauntlet variant of every test,
     * then the second of every test, and so on (tests in first-seen order; base variants last). A gauntlet plan lists a test's
     * presets together, and filling in that order would spend the budget on the first test alone.
     */
    public static List<Variant> interleaveByTest(List<Variant> variants) {
        java.util.Map<String, List<Variant>> byTest = new java.util.LinkedHashMap<>();
        for (Variant v : variants) byTest.computeIfAbsent(v.testId(), k -> new ArrayList<>()).add(v);
        // the gauntlet's own variants first: a base variant adds nothing a gauntlet run asked for beyond
        // the coverage the greedy pass already took it for
        byTest.values().forEach(l -> l.sort(java.util.Comparator.comparing(v -> v.name().startsWith("gauntlet/") ? 0 : 1)));
        List<Variant> out = new ArrayList<>(variants.size());
        for (int round = 0; out.size() < variants.size(); round++) {
            for (List<Variant> l : byTest.values()) if (round < l.size()) out.add(l.get(round));
        }
        return out;
    }

    /** Adds unused candidates in order while they fit what the greedy pass left; returns how many. */
    static int fill(boolean[] used, double[] costs, double budgetSecs) {
        double remaining = budgetSecs;
        for (int i = 0; i < used.length; i++) if (used[i]) remaining -= costs[i];
        int added = 0;
        for (int i = 0; i < used.length; i++) {
            if (used[i] || costs[i] > remaining) continue;
            used[i] = true;
            remaining -= costs[i];
            added++;
        }
        return added;
    }

    /** The greedy loop over plain arrays; {@code result[i]} tells whether candidate i was selected. */
    static boolean[] greedy(String[] names, long[] features, double[] costs, double budgetSecs) {
        if (!(budgetSecs > 0) || Double.isInfinite(budgetSecs)) {
            throw new IllegalArgumentException("budget must be a positive number of seconds, got " + budgetSecs);
        }
        int n = names.length;
        boolean[] used = new boolean[n];
        long covered = 0;
        double remaining = budgetSecs;
        while (true) {
            int best = -1;
            double bestRatio = 0;
            for (int i = 0; i < n; i++) {
                if (used[i] || costs[i] > remaining) continue;
                int marginal = Long.bitCount(features[i] & ~covered);
                if (marginal == 0) continue;
                double ratio = costs[i] > 0 ? marginal / costs[i] : marginal * 1e6;
                if (best < 0 || ratio > bestRatio || (ratio == bestRatio && names[i].compareTo(names[best]) < 0)) {
                    best = i;
                    bestRatio = ratio;
                }
            }
            if (best < 0) return used;
            used[best] = true;
            covered |= features[best];
            remaining -= costs[best];
        }
    }

    /** {@link #select} and print the summary line to {@code err} (the spec prints it on stderr). */
    public static BudgetSelection selectAndReport(List<Variant> candidates, double budgetSecs, PrintStream err) {
        return selectAndReport(candidates, budgetSecs, false, err);
    }

    public static BudgetSelection selectAndReport(List<Variant> candidates, double budgetSecs, boolean fill, PrintStream err) {
        BudgetSelection s = select(candidates, budgetSecs, fill);
        err.println(s.summaryLine());
        return s;
    }
}
