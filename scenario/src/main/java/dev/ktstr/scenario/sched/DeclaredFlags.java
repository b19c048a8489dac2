package dev.ktstr.scenario.sched;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The feature flags of a {@link SchedulerDefinition}, in declaration order (profile order).
 * Declared as an annotation, not in code, so the compiler can check tests against them.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface DeclaredFlags {
    Flag[] value();
}
