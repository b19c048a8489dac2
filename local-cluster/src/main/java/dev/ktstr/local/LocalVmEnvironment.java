package dev.ktstr.local;

import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.coordinator.testrun.KernelArtifacts;
import dev.ktstr.coordinator.testrun.TestEnvironment;
import dev.ktstr.host.KtstrDirs;
import dev.ktstr.vmm.kernel.KernelDiscovery;
import dev.ktstr.vmm.kernel.ResolvedKernel;
import dev.ktstr.vmm.qemu.AccelDecision;
import dev.ktstr.vmm.qemu.AccelMode;
import dev.ktstr.vmm.qemu.AcceleratorChooser;
import dev.ktstr.vmm.qemu.HostVirtFacts;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.vm.VmJobExecutor;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Local mode on this host: kernels from the discovery chain or explicit ids, QEMU with KVM when it
 * really works and TCG otherwise, and the VM executor behind a one-node Pekko cluster. Shared by
 * {@code ktstr test} and the JUnit engine so both run tests the same way.
 */
public final class LocalVmEnvironment implements TestEnvironment {
    private final List<String> kernelIds;
    private final AccelDecision accel;
    private final Path cacheRoot = KtstrDirs.cacheRoot();
    private final Consumer<String> guestLog;
    private dev.ktstr.worker.vm.ChannelFault channelFault;
    private List<KernelArtifacts> kernels;

    /**
     * @param kernelIds {@code --kernel} values (paths, versions, cache keys); empty = discovery chain
     * @param accelMode kvm, tcg or auto
     * @param guestLog  receives guest agent log lines live (null = none)
     */
    public LocalVmEnvironment(List<String> kernelIds, AccelMode accelMode, Consumer<String> guestLog, PrintStream err) {
        this.kernelIds = List.copyOf(kernelIds);
        this.accel = new AcceleratorChooser(cacheRoot).choose(accelMode, HostVirtFacts.probe());
        this.guestLog = guestLog;
        err.println("ktstr: accelerator " + accel.accel().name().toLowerCase(Locale.ROOT) + " (" + accel.reason() + ")");
        VmJobExecutor.reapLeftovers(line -> err.println("ktstr: " + line));
    }

    @Override
    public synchronized List<KernelArtifacts> kernels() throws IOException {
        if (kernels != null) return kernels;
        KernelDiscovery discovery = KernelDiscovery.host();
        List<ResolvedKernel> resolved = kernelIds.isEmpty()
                ? List.of(discovery.resolve(Optional.empty()))
                : discovery.resolveAll(kernelIds);
        List<KernelArtifacts> out = new ArrayList<>();
        for (ResolvedKernel k : resolved) {
            Optional<Path> scx = k.scxDir().or(() -> sibling(k.bootImage(), "scx"));
            out.add(new KernelArtifacts(k.label(), k.version().orElse("unknown"), k.bootImage(), k.btf(), k.systemMap(), scx,
                    k.commit().orElse(null)));
        }
        kernels = List.copyOf(out);
        return kernels;
    }

    @Override
    public Optional<Path> findScheduler(String name, KernelArtifacts kernel) {
        String env = System.getenv("KTSTR_SCHEDULER");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (Files.isDirectory(p)) p = p.resolve(name);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        Optional<Path> inKernel = kernel.schedulers().map(d -> d.resolve(name)).filter(Files::isExecutable);
        if (inKernel.isPresent()) return inKernel;
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String accelerator() {
        return accel.accel().name().toLowerCase(Locale.ROOT);
    }

    /** Fault-model tests: every VM of this environment gets {@code fault} on its data channel. */
    public LocalVmEnvironment injectChannelFault(dev.ktstr.worker.vm.ChannelFault fault) {
        this.channelFault = fault;
        return this;
    }

    @Override
    public GauntletRun startLocal(int slots) {
        ArtifactCache cache = new ArtifactCache(cacheRoot);
        return LocalCluster.start(new LocalCluster.Config(new VmJobExecutor(cache, cacheRoot, accel, guestLog).injectChannelFault(channelFault), cache, slots, null));
    }

    private static Optional<Path> sibling(Path image, String name) {
        Path dir = image.toAbsolutePath().getParent();
        if (dir == null) return Optional.empty();
        Path p = dir.resolve(name);
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }
}
