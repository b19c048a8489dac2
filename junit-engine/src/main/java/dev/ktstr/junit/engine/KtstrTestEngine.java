package dev.ktstr.junit.engine;

import dev.ktstr.scenario.KtstrTest;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.junit.platform.engine.EngineDiscoveryRequest;
import org.junit.platform.engine.ExecutionRequest;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.engine.discovery.ClasspathRootSelector;
import org.junit.platform.engine.discovery.MethodSelector;
import org.junit.platform.engine.discovery.PackageSelector;
import org.junit.platform.engine.support.descriptor.EngineDescriptor;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Runs {@code @KtstrTest} methods under the JUnit Platform, so a user's {@code mvn test} (Surefire)
 * runs them, each in its own VM, with standard reports. Execution goes through the same local-mode
 * run as {@code ktstr test}: coordinator + worker in this JVM.
 *
 * <p>Configuration parameters (also as {@code -D} system properties): {@code ktstr.kernel}
 * (comma-separated ids), {@code ktstr.accel}, {@code ktstr.runsDir}, {@code ktstr.timeoutSecs},
 * {@code ktstr.budgetSecs} (or {@code KTSTR_BUDGET_SECS}: run the tests covering the most configurations in
 * that many estimated seconds; the rest are reported skipped with that reason),
 * {@code ktstr.includeIgnored} (true = also run {@code demo_*} tests),
 * {@code ktstr.skip} (true = report every test as skipped, e.g. in a unit-test-only build),
 * {@code ktstr.gauntlet} (true = every topology preset x flag profile x kernel; each variant is its own
 * test under its method), {@code ktstr.overcommit} (TCG vCPU overcommit factor), {@code ktstr.partition}
 * ({@code hash:M/N}: this shard's share of the variants).
 */
public final class KtstrTestEngine implements TestEngine {
    public static final String ENGINE_ID = "ktstr";

    @Override
    public String getId() {
        return ENGINE_ID;
    }

    @Override
    public Optional<String> getGroupId() {
        return Optional.of("dev.ktstr");
    }

    @Override
    public Optional<String> getArtifactId() {
        return Optional.of("ktstr-junit-engine");
    }

    @Override
    public TestDescriptor discover(EngineDiscoveryRequest request, UniqueId uniqueId) {
        EngineDescriptor engine = new EngineDescriptor(uniqueId, "ktstr");
        boolean gauntletRun = request.getConfigurationParameters().getBoolean("ktstr.gauntlet").orElse(false);
        boolean replicatedRun = request.getConfigurationParameters().get("ktstr.replicas")
                .map(v -> !v.trim().equals("1")).orElse(false);
        // every method is a container of its variants in a gauntlet run or with replicas, else a test
        java.util.function.Predicate<Method> gauntlet = m -> gauntletRun || replicatedRun || m.getAnnotation(KtstrTest.class).replicas() > 1;
        for (ClassSelector s : request.getSelectorsByType(ClassSelector.class)) {
            addClass(engine, s.getJavaClass(), gauntlet);
        }
        for (MethodSelector s : request.getSelectorsByType(MethodSelector.class)) {
            Method m = s.getJavaMethod();
            if (m.isAnnotationPresent(KtstrTest.class)) {
                classDescriptor(engine, s.getJavaClass()).addMethod(m, gauntlet.test(m));
            }
        }
        for (PackageSelector s : request.getSelectorsByType(PackageSelector.class)) {
            ReflectionSupport.findAllClassesInPackage(s.getPackageName(), KtstrTestEngine::hasKtstrTests, n -> true)
                    .forEach(c -> addClass(engine, c, gauntlet));
        }
        for (ClasspathRootSelector s : request.getSelectorsByType(ClasspathRootSelector.class)) {
            ReflectionSupport.findAllClassesInClasspathRoot(s.getClasspathRoot(), KtstrTestEngine::hasKtstrTests, n -> true)
                    .forEach(c -> addClass(engine, c, gauntlet));
        }
        return engine;
    }

    @Override
    public void execute(ExecutionRequest request) {
        new KtstrExecution(request).run();
    }

    static boolean hasKtstrTests(Class<?> c) {
        try {
            return Arrays.stream(c.getDeclaredMethods()).anyMatch(m -> m.isAnnotationPresent(KtstrTest.class));
        } catch (LinkageError e) {
            return false;
        }
    }

    private static void addClass(EngineDescriptor engine, Class<?> c, java.util.function.Predicate<Method> gauntlet) {
        if (!hasKtstrTests(c)) return;
        KtstrClassDescriptor cd = classDescriptor(engine, c);
        Arrays.stream(c.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(KtstrTest.class))
                .sorted(Comparator.comparing(Method::getName)).forEach(m -> cd.addMethod(m, gauntlet.test(m)));
    }

    private static KtstrClassDescriptor classDescriptor(EngineDescriptor engine, Class<?> c) {
        UniqueId id = engine.getUniqueId().append(KtstrClassDescriptor.SEGMENT, c.getName());
        return engine.getChildren().stream().filter(d -> d.getUniqueId().equals(id)).map(KtstrClassDescriptor.class::cast)
                .findFirst().orElseGet(() -> {
                    KtstrClassDescriptor d = new KtstrClassDescriptor(id, c);
                    engine.addChild(d);
                    return d;
                });
    }
}
