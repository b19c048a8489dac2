package dev.ktstr.junit.engine;

import java.lang.reflect.Method;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;

/** One {@code @KtstrTest} method: the base variant {@code ktstr/<name>}. */
final class KtstrMethodDescriptor extends AbstractTestDescriptor {
    static final String SEGMENT = "method";
    private final Class<?> testClass;
    private final Method method;

    KtstrMethodDescriptor(UniqueId id, Class<?> testClass, Method method) {
        super(id, method.getName(), MethodSource.from(testClass, method));
        this.testClass = testClass;
        this.method = method;
    }

    /** {@code Class#method}, the id discovery and the planner use. */
    String testId() {
        return testClass.getName() + "#" + method.getName();
    }

    Class<?> testClass() {
        return testClass;
    }

    @Override
    public Type getType() {
        return Type.TEST;
    }
}
