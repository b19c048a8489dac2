package dev.ktstr.coordinator.plan;

import java.util.List;

/**
 * What the planner needs of a scheduler flag declaration: its name and the names of the flags it
 * requires (ktstr-spec §1.3). Flag arguments are the runner's business, not the planner's.
 */
public record PlanFlag(String name, List<String> requires) {

    public PlanFlag {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("flag name must not be blank");
        requires = requires == null ? List.of() : List.copyOf(requires);
    }

    public static PlanFlag of(String name, String... requires) {
        return new PlanFlag(name, List.of(requires));
    }
}
