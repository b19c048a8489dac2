package dev.ktstr.coordinator.plan;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * Where the time budget comes from: {@code --budget-secs N}, else {@code KTSTR_BUDGET_SECS}. A value
 * that is not a positive finite number is ignored with a warning, as the spec does for the variable;
 * the command line is treated the same so one bad value never aborts a listing.
 */
public final class BudgetSetting {

    public static final String ENV = "KTSTR_BUDGET_SECS";

    /** {@code --budget-secs none}: run every variant, whatever {@code KTSTR_BUDGET_SECS} says. */
    public static final String NONE = "none";

    private BudgetSetting() {}

    /**
     * @param cliValue the {@code --budget-secs} text, or null when not given
     * @param env      the environment (System.getenv() in production)
     * @param warn     receives one message per ignored value
     */
    public static OptionalDouble resolve(String cliValue, Map<String, String> env, Consumer<String> warn) {
        if (NONE.equalsIgnoreCase(cliValue == null ? "" : cliValue.trim())) return OptionalDouble.empty();
        if (cliValue != null) {
            OptionalDouble v = parse(cliValue, "--budget-secs", warn);
            if (v.isPresent()) return v;
        }
        String e = env.get(ENV);
        if (e != null) return parse(e, ENV, warn);
        return OptionalDouble.empty();
    }

    static OptionalDouble parse(String text, String source, Consumer<String> warn) {
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException ex) {
            warn.accept("ktstr: ignoring " + source + "='" + text + "': not a number of seconds; running without a budget");
            return OptionalDouble.empty();
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            warn.accept("ktstr: ignoring " + source + "='" + text + "': the budget must be a positive number of seconds; running without a budget");
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(v);
    }
}
