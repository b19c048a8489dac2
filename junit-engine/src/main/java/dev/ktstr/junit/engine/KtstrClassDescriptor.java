package dev.ktstr.junit.engine;

import java.lang.reflect.Method;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.ClassSource;

/** A class holding {@code @KtstrTest} methods. */
final class KtstrClassDescriptor extends AbstractTestDescriptor {
    static final String SEGMENT = "class";
    private final Class<?> testClass;

    KtstrClassDescriptor(UniqueId id, Class<?> testClass) {
        super(id, testClass.getSimpleName(), ClassSource.from(testClass));
        this.testClass = testClass;
    }

    Class<?> testClass() {
        return testClass;
    }

    void addMethod(Method m, boolean gauntlet) {
        UniqueId id = getUniqueId().append(KtstrMethodDescriptor.SEGMENT, m.getName());
        if (getChildren().stream().noneMatch(d -> d.getUniqueId().equals(id))) {
            addChild(new KtstrMethodDescriptor(id, testClass, m, gauntlet));
        }
    }

    @Override
    public Type getType() {
        return Type.CONTAINER;
    }
}
