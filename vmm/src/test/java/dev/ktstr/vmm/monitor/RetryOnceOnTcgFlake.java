package dev.ktstr.vmm.monitor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * These ITs boot SMP guests with QemuVm.start directly, without the product's one retry of an
 * early-boot TCG oops (a MTTCG cross-modifying-code race, about 1 SMP boot in 50). A failing
 * attempt is retried once, loudly; a second failure fails the test. Test methods take only a
 * {@code @TempDir Path}, which gets a fresh directory for the retry.
 */
final class RetryOnceOnTcgFlake implements TestExecutionExceptionHandler {
    @Override
    public void handleTestExecutionException(ExtensionContext ctx, Throwable first) throws Throwable {
        Method m = ctx.getRequiredTestMethod();
        System.err.println("RETRY " + m.getName() + " once after: " + first);
        Object[] args = new Object[m.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
            if (m.getParameterTypes()[i] != Path.class) throw first;
            args[i] = Files.createTempDirectory("ktstr-it-retry-");
        }
        try {
            m.setAccessible(true);
            m.invoke(ctx.getRequiredTestInstance(), args);
        } catch (InvocationTargetException e) {
            e.getCause().addSuppressed(first);
            throw e.getCause();
        }
    }
}
