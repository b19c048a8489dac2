package dev.ktstr.coordinator.testrun;

import dev.ktstr.coordinator.GauntletRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a test run needs from the host that the coordinator module cannot see (kernels, QEMU,
 * the VM executor). The CLI and the JUnit engine provide the real one; tests a fake.
 */
public interface TestEnvironment {

    /** Every kernel the run uses, resolved before any test runs (the first one is the default). */
    List<KernelArtifacts> kernels() throws IOException;

    /** A scheduler binary named {@code name} (a {@code Discover} scheduler) for {@code kernel}. */
    Optional<Path> findScheduler(String name, KernelArtifacts kernel);

    /** {@code kvm} or {@code tcg}: picks the cost model and is recorded in results. */
    String accelerator();

    /** Starts local mode (coordinator + one worker in this JVM) with {@code slots} concurrent VMs. */
    GauntletRun startLocal(int slots);
}
