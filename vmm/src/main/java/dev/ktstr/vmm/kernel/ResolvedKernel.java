package dev.ktstr.vmm.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A kernel ready to boot, with whatever companions are known.
 *
 * @param bootImage  what to pass to QEMU {@code -kernel}: the vmlinux ELF (PVH entry, faster under TCG) when one is
 *                   available and the config does not rule PVH out, else the compressed image
 * @param pvh        true when {@code bootImage} is an ELF vmlinux booted through its PVH entry
 * @param vmlinux    ELF with symbols and .BTF (possibly the same file as bootImage); needed by the host monitor
 * @param bzImage    compressed image ({@code bzImage} on x86_64, {@code Image} on aarch64)
 * @param systemMap  {@code System.map} (symbol addresses; boot with nokaslr to use them)
 * @param btf        raw .BTF blob extracted from vmlinux
 * @param config     the kernel's full {@code .config}
 * @param scxDir     directory of sched_ext scheduler binaries built from the same tree
 * @param label      sanitized label {@code kernel_[a-z0-9_]+} for variant names
 * @param source     how it was found, e.g. {@code "cache entry 6.12.117-tarball-x86_64-kc1a2b3c4d"}
 * @param version    kernel release when known (metadata, config header or tree Makefile)
 * @param cacheKey   the cache key when it came from the cache
 * @param commit     7 hex digits of the git HEAD the kernel was built from (a clean local tree, or a
 *                   cache entry built from one or from a git URL); empty for tarballs and unknown origins
 */
public record ResolvedKernel(
        Path bootImage,
        boolean pvh,
        Optional<Path> vmlinux,
        Optional<Path> bzImage,
        Optional<Path> systemMap,
        Optional<Path> btf,
        Optional<Path> config,
        Optional<Path> scxDir,
        String label,
        String source,
        Optional<String> version,
        Optional<String> cacheKey,
        Optional<String> commit) {

    /** A scheduler binary from {@link #scxDir()} (e.g. {@code scx_simple}), if present and executable. */
    public Optional<Path> scheduler(String name) {
        return scxDir.map(d -> d.resolve(name)).filter(Files::isExecutable);
    }

    /** One line for logs: label, boot image and origin. */
    public String describe() {
        return label + " " + bootImage + (pvh ? " (PVH ELF)" : "") + " [" + source + "]";
    }
}
