package dev.ktstr.cli.kernel;

import dev.ktstr.vmm.kernel.KernelDiscovery;
import dev.ktstr.vmm.kernel.KernelException;
import dev.ktstr.vmm.kernel.ResolvedKernel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "resolve", mixinStandardHelpOptions = true,
        description = {"Show which kernel a test would boot: the named one, or the discovery chain",
                "(KTSTR_TEST_KERNEL, KTSTR_KERNEL, newest cache entry, ./linux, ../linux, installed kernels)."})
public final class KernelResolveCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "ID", description = "path, version, or cache key")
    String id;

    @Override
    public Integer call() {
        try {
            ResolvedKernel k = KernelDiscovery.host().resolve(Optional.ofNullable(id));
            System.out.println("label:      " + k.label());
            System.out.println("source:     " + k.source());
            System.out.println("boot image: " + k.bootImage() + (k.pvh() ? " (PVH ELF)" : ""));
            System.out.println("version:    " + k.version().orElse("?"));
            System.out.println("vmlinux:    " + show(k.vmlinux()));
            System.out.println("bzImage:    " + show(k.bzImage()));
            System.out.println("System.map: " + show(k.systemMap()));
            System.out.println("BTF:        " + show(k.btf()));
            System.out.println("config:     " + show(k.config()));
            System.out.println("scx:        " + show(k.scxDir()));
            return 0;
        } catch (KernelException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static String show(Optional<Path> p) {
        return p.map(Path::toString).orElse("-");
    }
}
