package dev.ktstr.coordinator.plan;

import java.util.List;
import java.util.Locale;

/**
 * The expansion result: variants in listing order, tests that got no gauntlet variant and why,
 * and what the plan assumed about the host (so results can say they ran overcommitted).
 */
public record GauntletPlan(
        List<Variant> variants,
        List<Note> notes,
        HostCapacity host,
        Overcommit overcommit,
        String costModel,
        int unfilteredCount) {

    /** Something the user should see: a test without gauntlet variants, a filter that matched nothing... */
    public record Note(String test, String message) {
        @Override
        public String toString() {
            return test == null ? message : test + ": " + message;
        }
    }

    public GauntletPlan {
        variants = List.copyOf(variants);
        notes = List.copyOf(notes);
    }

    public long overcommittedCount() {
        return variants.stream().filter(Variant::overcommitted).count();
    }

    public int maxVcpus() {
        return variants.stream().mapToInt(Variant::cpus).max().orElse(0);
    }

    /** Null when nothing exceeds the host; otherwise one line for logs, summaries and sidecars. */
    public String overcommitSummary() {
        long n = overcommittedCount();
        if (n == 0) return null;
        int max = variants.stream().filter(Variant::overcommitted).mapToInt(Variant::cpus).max().orElse(0);
        return String.format(Locale.ROOT,
                "%s: %d of %d variants exceed the host (%s); largest %d vCPUs = %.1fx host CPUs",
                overcommit, n, variants.size(), host, max, (double) max / host.logicalCpus());
    }

    public double totalEstimatedSecs() {
        return variants.stream().mapToDouble(Variant::estimatedSecs).sum();
    }
}
