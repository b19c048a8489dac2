package dev.ktstr.coordinator.plan;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/** What the budget kept, and the numbers of the spec's summary line. */
public record BudgetSelection(List<Variant> selected, int total, double usedSecs, double budgetSecs,
                              int coveredBits, int possibleBits, int filled) {

    public BudgetSelection {
        selected = List.copyOf(selected);
    }

    public BudgetSelection(List<Variant> selected, int total, double usedSecs, double budgetSecs, int coveredBits, int possibleBits) {
        this(selected, total, usedSecs, budgetSecs, coveredBits, possibleBits, 0);
    }

    /**
     * {@code ktstr budget: {selected}/{total} tests, {used:.0}/{budget:.0}s used, {covered}/{possible} configurations covered}.
     * Seconds round half-to-even on the exact binary value, as Rust's {@code {:.0}} does
     * ({@code String.format("%.0f")} rounds half up and would print 3 for 2.5).
     */
    public String summaryLine() {
        return "ktstr budget: " + selected.size() + "/" + total + " tests, " + rust0(usedSecs) + "/" + rust0(budgetSecs)
                + "s used, " + coveredBits + "/" + possibleBits + " configurations covered"
                + (filled > 0 ? " (" + filled + " more added to fill the budget)" : "");
    }

    static String rust0(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        String s = new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
        return s.equals("0") && (1 / v) < 0 ? "-0" : s;
    }
}
