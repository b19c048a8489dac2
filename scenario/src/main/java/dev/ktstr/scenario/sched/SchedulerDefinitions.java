package dev.ktstr.scenario.sched;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/** Instantiates {@link SchedulerDefinition}s and attaches their {@link DeclaredFlags}. */
public final class SchedulerDefinitions {
    private SchedulerDefinitions() {
    }

    public static Scheduler load(Class<? extends SchedulerDefinition> type) {
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("scheduler definition " + type.getName() + " is abstract; name a concrete class");
        }
        SchedulerDefinition def;
        try {
            Constructor<? extends SchedulerDefinition> c = type.getDeclaredConstructor();
            c.setAccessible(true);
            def = c.newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("scheduler definition " + type.getName() + " needs a no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("scheduler definition " + type.getName() + " constructor failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot instantiate scheduler definition " + type.getName() + ": " + e, e);
        }
        Scheduler s = def.scheduler();
        if (s == null) throw new IllegalArgumentException(type.getName() + ".scheduler() returned null");
        DeclaredFlags declared = type.getAnnotation(DeclaredFlags.class);
        if (declared == null) return s;
        if (!s.flags().isEmpty()) {
            throw new IllegalArgumentException("scheduler definition " + type.getName()
                    + " declares flags both with @DeclaredFlags and in scheduler(); keep them in @DeclaredFlags only");
        }
        List<FlagDecl> flags = new ArrayList<>();
        for (Flag f : declared.value()) flags.add(new FlagDecl(f.name(), List.of(f.args()), List.of(f.requires())));
        return s.withFlags(flags);
    }
}
