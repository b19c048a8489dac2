package dev.ktstr.guest.agent;

import dev.ktstr.protocol.guest.GuestJob;
import dev.ktstr.scenario.TestConfig;
import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The test's resolved config and method, worked out on their own thread as soon as the job is read.
 * Both are cold code in a fresh guest JVM (Jackson building the TestConfig deserializers, the user's
 * test class loading and initialising: seconds under emulation), and neither depends on the mounts or
 * the scheduler the agent handles meanwhile.
 */
final class TestAhead {
    /** The resolved config; the method, or why it cannot be found (thrown where the test would start). */
    record Prepared(TestConfig config, Method found, Exception lookupError, long ms) {
        Method method() throws Exception {
            if (lookupError != null) throw lookupError;
            return found;
        }
    }

    private final CompletableFuture<Prepared> future = new CompletableFuture<>();

    private TestAhead() {}

    static TestAhead start(GuestJob job, ClassLoader loader, Consumer<String> warn) {
        TestAhead ahead = new TestAhead();
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                TestConfig config = TestInvoker.resolve(job, warn);
                Method m = null;
                Exception lookup = null;
                try {
                    m = TestInvoker.find(job.testClass(), job.testMethod(), loader);
                } catch (Exception | LinkageError e) {
                    lookup = e instanceof Exception ex ? ex : new IllegalStateException(e.toString(), e);
                }
                ahead.future.complete(new Prepared(config, m, lookup, (System.nanoTime() - t0) / 1_000_000));
            } catch (Throwable e) {
                ahead.future.completeExceptionally(e);
            }
        }, "test-ahead");
        t.setContextClassLoader(loader);
        t.setDaemon(true);
        t.start();
        return ahead;
    }

    /** Waits for the preparation; a config that cannot be resolved surfaces as it did before (unchecked). */
    Prepared await() throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        }
    }
}
