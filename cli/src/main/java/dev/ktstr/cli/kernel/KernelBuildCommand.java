package dev.ktstr.cli.kernel;

import dev.ktstr.vmm.kernel.Arch;
import dev.ktstr.vmm.kernel.Environment;
import dev.ktstr.vmm.kernel.KernelBuilder;
import dev.ktstr.vmm.kernel.KernelCache;
import dev.ktstr.vmm.kernel.KernelException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Build a sched_ext kernel and store it in the kernel cache.",
                "Default source: the newest /usr/src/linux-source-*.tar.xz (Debian's linux-source package).",
                "VERSION: a kernel.org release (uses a matching /usr/src tarball, else downloads it).",
                "Prints the cache key on stdout; progress goes to stderr."})
public final class KernelBuildCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "VERSION", description = "kernel.org version, e.g. 6.12 or 6.12.8")
    String version;

    @Option(names = "--source", paramLabel = "DIR|TARBALL", description = "a kernel tree (built in place) or a source tarball")
    Path source;

    @Option(names = "--force", description = "rebuild even when the kernel is already cached")
    boolean force;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "parallel make jobs (default: all CPUs)")
    int jobs;

    @Option(names = "--dry-run", description = "print the chosen source and cache key, build nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        try {
            KernelCache cache = KernelCache.open(Environment.system());
            KernelBuilder builder = new KernelBuilder(cache, Arch.host(), System.err::println);
            if (dryRun) {
                var request = new KernelBuilder.Request(Optional.ofNullable(version), Optional.ofNullable(source), force, jobs);
                var src = builder.chooseSource(request);
                String key = builder.keyFor(src);
                var existing = cache.get(key);
                System.out.println("source: " + src);
                System.out.println("key:    " + key);
                System.out.println("cached: " + existing.map(e -> e.usable() ? "yes, " + e.dir() : "unusable " + e.tag()).orElse("no"));
                return 0;
            }
            var result = builder.build(new KernelBuilder.Request(Optional.ofNullable(version), Optional.ofNullable(source), force, jobs));
            System.out.println(result.key());
            return 0;
        } catch (KernelException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
