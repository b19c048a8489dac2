package dev.ktstr.junit.engine;

import java.lang.reflect.Method;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;

/**
 * One {@code @KtstrTest} method: the base variant {@code ktstr/<name>} as a test, or, in a gauntlet run
 * ({@code ktstr.gauntlet=true}) or with replicas ({@code ktstr.replicas} or {@code @KtstrTest(replicas)} over 1),
 * the container of its variants ({@link KtstrVariantDescriptor}), so no replica's result is hidden behind another's.
 */
final class KtstrMethodDescriptor extends AbstractTestDescriptor {
    static final String SEGMENT = "method";
    private final Class<?> testClass;
    private final Method method;
    private final boolean gauntlet;

    KtstrMethodDescriptor(UniqueId id, Class<?> testClass, Method method, boolean gauntlet) {
        super(id, method.getName(), MethodSource.from(testClass, method));
        this.testClass = testClass;
        this.method = method;
        this.gauntlet = gauntlet;
    }

    boolean gauntlet() {
        return gauntlet;
    }

    /** {@code Class#method}, the id discovery and the planner use. */
    String testId() {
        return testClass.getName() + "#" + method.getName();
    }

    Class<?> testClass() {
        return testClass;
    }

    /** Its variants are known only once the run is planned: the launcher must not prune the empty container. */
    @Override
    public boolean mayRegisterTests() {
        return gauntlet;
    }

    @Override
    public Type getType() {
        return gauntlet ? Type.CONTAINER : Type.TEST;
    }
}
