package dev.ktstr.scenario.sched;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** One flag inside {@link DeclaredFlags}: kebab-case name, scheduler args, required flags. */
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Flag {
    String name();

    String[] args() default {};

    String[] requires() default {};
}
