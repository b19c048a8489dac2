package dev.ktstr.guest.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ktstr.protocol.guest.GuestJob;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.verify.Assert;
import dev.ktstr.scenario.verify.AssertResult;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.function.Consumer;

/** Finds the test method by name, resolves its config from the job and calls it. */
public final class TestInvoker {
    private TestInvoker() {}

    /** The method {@code name(Ctx)} of {@code className}, static or instance. */
    public static Method find(String className, String name, ClassLoader loader) throws ClassNotFoundException {
        Class<?> c = Class.forName(className, true, loader);
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == 1 && m.getParameterTypes()[0] == Ctx.class) {
                m.setAccessible(true);
                return m;
            }
        }
        throw new IllegalArgumentException("test method " + className + "#" + name + "(Ctx) not found; the jar in /ktstr/lib may be stale"
                + " or the method has another signature (expected `AssertResult " + name + "(Ctx ctx)`)");
    }

    public static AssertResult invoke(Method m, Ctx ctx) throws Throwable {
        Object target = null;
        if (!Modifier.isStatic(m.getModifiers())) {
            var ctor = m.getDeclaringClass().getDeclaredConstructor();
            ctor.setAccessible(true);
            target = ctor.newInstance();
        }
        try {
            Object r = m.invoke(target, ctx);
            if (r == null) return AssertResult.pass();
            if (r instanceof AssertResult ar) return ar;
            throw new IllegalStateException("test method returned " + r.getClass().getName() + ", expected AssertResult or void");
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * The test's config: the host's resolved {@code testConfig} when present and readable,
     * otherwise the default with the job's topology/duration/workers; the job's assertConfig
     * (merged thresholds) replaces the assertion when present.
     */
    public static TestConfig resolve(GuestJob job, Consumer<String> warn) {
        TestConfig base = null;
        if (job.testConfig() != null && !job.testConfig().isNull()) {
            try {
                base = AgentJson.mapper().treeToValue(job.testConfig(), TestConfig.class);
            } catch (Exception e) {
                warn.accept("job testConfig is not a readable TestConfig (" + e.getMessage() + "); using defaults plus the job's fields");
            }
        }
        if (base == null) base = TestConfig.DEFAULT;
        Topology topo = job.topology() != null ? Topology.parse(job.topology()) : base.topology();
        Assert assertion = base.assertion();
        JsonNode a = job.assertConfig();
        if (a != null && !a.isNull()) {
            try {
                assertion = AgentJson.mapper().treeToValue(a, Assert.class);
            } catch (Exception e) {
                warn.accept("job assertConfig is not a readable Assert (" + e.getMessage() + "); using the config's merged thresholds");
            }
        }
        return base.withJob(topo, assertion, job.durationS(), job.workersPerCgroup());
    }
}
