package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.coordinator.testrun.KernelArtifacts;
import dev.ktstr.coordinator.testrun.TestEnvironment;
import dev.ktstr.local.LocalVmEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The coordinator host's side of a cluster run: it resolves kernels and scheduler binaries exactly
 * as {@code ktstr test} does (they are shipped to workers by sha256) but runs no VM itself.
 * {@code accelerator} is the one the workers are expected to use; it only picks the cost model
 * for {@code --budget-secs} (each result records the accelerator its worker really used).
 */
final class CoordinatorEnvironment implements TestEnvironment {
    private final LocalVmEnvironment host;
    private final String accelerator;

    CoordinatorEnvironment(LocalVmEnvironment host, String accelerator) {
        this.host = host;
        this.accelerator = accelerator == null ? host.accelerator() : accelerator;
    }

    @Override
    public List<KernelArtifacts> kernels() throws IOException {
        return host.kernels();
    }

    @Override
    public Optional<Path> findScheduler(String name, KernelArtifacts kernel) {
        return host.findScheduler(name, kernel);
    }

    @Override
    public String accelerator() {
        return accelerator;
    }

    @Override
    public GauntletRun startLocal(int slots) {
        throw new UnsupportedOperationException("a coordinator runs no VMs itself: its jobs go to `ktstr worker` nodes");
    }
}
