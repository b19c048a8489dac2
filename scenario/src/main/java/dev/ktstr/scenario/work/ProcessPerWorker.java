package dev.ktstr.scenario.work;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@link CustomWorker} class: each worker of this type runs in a process of its own (its own
 * tgid and address space) instead of as a thread of its group's worker host. Use it for loops
 * that fork, change process-wide state (rlimits, signal dispositions, the address space) or must
 * be measured per process. Read without initialising the class.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ProcessPerWorker {}
