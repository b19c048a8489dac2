package dev.ktstr.scenario.sched;

/**
 * A scheduler a test can name with {@code @KtstrTest(scheduler = X.class)}. Implementations need a
 * public no-argument constructor. Feature flags are declared with {@link DeclaredFlags} on the class
 * so the annotation processor can check {@code requiredFlags}/{@code excludedFlags} at compile time;
 * {@link SchedulerDefinitions#load} attaches them to the returned {@link Scheduler}.
 */
public interface SchedulerDefinition {

    Scheduler scheduler();
}
