package dev.ktstr.coordinator.plan;

import java.util.List;

/** The tests cannot be planned; {@link #problems()} lists every problem found, not just the first. */
public final class PlanException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public PlanException(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0)
                : problems.size() + " problems in the test definitions:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
