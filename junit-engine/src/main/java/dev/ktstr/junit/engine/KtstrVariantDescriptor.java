package dev.ktstr.junit.engine;

import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;

/**
 * One gauntlet variant of a {@code @KtstrTest} method (topology preset x flags x kernel), registered
 * as a dynamic test under its method when its result arrives, so IDEs and Surefire list it by name.
 */
final class KtstrVariantDescriptor extends AbstractTestDescriptor {
    static final String SEGMENT = "variant";

    KtstrVariantDescriptor(KtstrMethodDescriptor method, String variantName) {
        super(method.getUniqueId().append(SEGMENT, variantName), variantName, method.getSource().orElse(null));
    }

    @Override
    public Type getType() {
        return Type.TEST;
    }
}
