package dev.ktstr.vmm.kernel;

import dev.ktstr.protocol.kernel.KernelLabel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the kernel to boot. With an explicit id ({@code --kernel X}) it resolves exactly that (path, version,
 * cache key) or fails naming it. Without one it walks the discovery chain: {@code KTSTR_TEST_KERNEL},
 * {@code KTSTR_KERNEL}, the newest usable cache entry, {@code ./linux}, {@code ../linux}, then the host's installed
 * kernels. Implicit discovery never builds anything, and it skips candidates whose config shows no
 * {@code CONFIG_SCHED_CLASS_EXT} (distribution kernels) so a test never boots a kernel that cannot run a
 * sched_ext scheduler by accident; an explicitly named kernel is always taken.
 */
public final class KernelDiscovery {

    private static final Pattern CONFIG_HEADER = Pattern.compile("^# Linux/\\S+ (\\S+) Kernel Configuration");

    private final Environment env;
    private final Supplier<KernelCache> cache;
    private final Path cwd;
    private final String kernelRelease;
    private final Path hostRoot;
    private final Arch arch;

    /**
     * @param cache         opened lazily; a failure to locate it (HOME unset) is reported, not fatal, in implicit mode
     * @param kernelRelease {@code uname -r}
     * @param hostRoot      "/" in production; a temp dir in tests (for /lib/modules and /boot)
     */
    public KernelDiscovery(Environment env, Supplier<KernelCache> cache, Path cwd, String kernelRelease, Path hostRoot, Arch arch) {
        this.env = env;
        this.cache = cache;
        this.cwd = cwd.toAbsolutePath().normalize();
        this.kernelRelease = kernelRelease;
        this.hostRoot = hostRoot;
        this.arch = arch;
    }

    /** Discovery on this host: real environment, default cache, current directory, {@code uname -r}. */
    public static KernelDiscovery host() {
        Environment env = Environment.system();
        return new KernelDiscovery(env, () -> KernelCache.open(env), Path.of("").toAbsolutePath(),
                System.getProperty("os.version"), Path.of("/"), Arch.host());
    }

    /** Convenience for {@code ktstr shell}/{@code ktstr test}: {@code host().resolve(id)}. */
    public static ResolvedKernel resolveOnHost(Optional<String> id) {
        return host().resolve(id);
    }

    /** The named kernel, or the discovery chain when {@code id} is empty. */
    public ResolvedKernel resolve(Optional<String> id) {
        return id.filter(s -> !s.isBlank()).map(s -> resolveId(s, "--kernel " + s)).orElseGet(this::discover);
    }

    /**
     * Several kernels ({@code --kernel A --kernel B,C}) resolved up front, so a missing one fails before any test
     * runs. Duplicates (same boot image) are dropped; labels stay unique by construction of their sources.
     */
    public List<ResolvedKernel> resolveAll(List<String> ids) {
        List<ResolvedKernel> out = new ArrayList<>();
        for (String raw : ids) {
            for (KernelId id : KernelId.parseList(raw)) {
                ResolvedKernel k = resolveId(id.toString(), "--kernel " + id);
                if (out.stream().noneMatch(o -> o.bootImage().equals(k.bootImage()))) out.add(k);
            }
        }
        if (out.isEmpty()) out.add(discover());
        return out;
    }

    // ---------------------------------------------------------------- explicit ids

    ResolvedKernel resolveId(String raw, String origin) {
        KernelId id = KernelId.parse(raw);
        if (id instanceof KernelId.PathId p) return resolvePath(p.path(), origin);
        if (id instanceof KernelId.Version v) return resolveVersion(v.version(), origin);
        if (id instanceof KernelId.CacheKey k) return resolveKey(k.key(), origin);
        if (id instanceof KernelId.Git g) {
            throw new KernelException(origin + ": git kernels are not built by this version of ktstr; clone " + g.url()
                    + " at " + g.ref() + " and use `ktstr kernel build --source DIR` or --kernel DIR");
        }
        throw new KernelException(origin + ": '" + raw + "' is a range of kernels; name a single kernel "
                + "(a version, a path or a cache key from `ktstr kernel list`)");
    }

    private ResolvedKernel resolveVersion(KernelVersion v, String origin) {
        KernelCache c = cache.get();
        Optional<CacheEntry> hit = c.newestForVersion(v);
        if (hit.isPresent()) return fromCacheEntry(hit.get(), origin + " -> cache entry " + hit.get().key());
        List<String> unusable = c.list().stream()
                .filter(e -> e.version().flatMap(KernelVersion::tryParse).map(v::matches).orElse(false))
                .map(e -> e.key() + " " + e.tag()).toList();
        throw new KernelException(origin + ": kernel " + v + " is not in the kernel cache " + c.root()
                + (unusable.isEmpty() ? "" : " (unusable entries: " + String.join(", ", unusable) + ")")
                + ". Build it: `bin/ktstr kernel build " + v + "`");
    }

    private ResolvedKernel resolveKey(String key, String origin) {
        KernelCache c = cache.get();
        Optional<CacheEntry> e = c.get(key);
        if (e.isEmpty()) {
            List<String> keys = c.list().stream().map(CacheEntry::key).toList();
            throw new KernelException(origin + ": no cache entry '" + key + "' in " + c.root()
                    + (keys.isEmpty() ? " (the cache is empty; build one with `bin/ktstr kernel build`)"
                                      : "; cached keys: " + String.join(", ", keys)));
        }
        if (e.get().corrupt()) {
            throw new KernelException(origin + ": cache entry " + key + " is corrupt (" + e.get().errorKind().get().id() + ": "
                    + e.get().problem() + "); remove it with `bin/ktstr kernel clean --corrupt-only --force` and rebuild");
        }
        return fromCacheEntry(e.get(), origin + " -> cache entry " + key);
    }

    private ResolvedKernel resolvePath(String raw, String origin) {
        Path p = expand(raw);
        if (!Files.exists(p)) {
            throw new KernelException(origin + ": kernel path " + p + " does not exist");
        }
        if (Files.isRegularFile(p)) return fromImage(p, origin, arch);
        if (Files.isRegularFile(p.resolve(KernelCache.METADATA))) {
            KernelCache c = new KernelCache(p.getParent(), cache.get().fragment());
            CacheEntry e = c.inspect(p);
            if (e.corrupt()) {
                throw new KernelException(origin + ": " + p + " is a corrupt cache entry (" + e.errorKind().get().id() + ": " + e.problem() + ")");
            }
            return fromCacheEntry(e, origin);
        }
        if (isTree(p)) {
            Path image = p.resolve(arch.treeImagePath());
            if (!Files.isRegularFile(image)) {
                throw new KernelException(origin + ": kernel tree " + p + " has no " + arch.treeImagePath()
                        + "; build it with `bin/ktstr kernel build --source " + p + "`");
            }
            return fromTree(p, origin, arch);
        }
        for (String name : List.of("vmlinux", arch.imageName())) {
            if (Files.isRegularFile(p.resolve(name))) return fromImage(p.resolve(name), origin, arch);
        }
        throw new KernelException(origin + ": " + p + " is a directory but neither a kernel tree (Makefile + Kconfig + "
                + arch.treeImagePath() + ") nor a directory holding vmlinux or " + arch.imageName());
    }

    private Path expand(String raw) {
        String s = raw;
        if (s.equals("~") || s.startsWith("~/")) {
            String home = env.get("HOME").orElseThrow(() -> new KernelException("cannot expand '" + raw + "': HOME is unset"));
            s = home + s.substring(1);
        }
        return cwd.resolve(s).normalize();
    }

    // ---------------------------------------------------------------- implicit chain

    private ResolvedKernel discover() {
        List<String> tried = new ArrayList<>();

        Optional<String> testKernel = env.get("KTSTR_TEST_KERNEL");
        if (testKernel.isPresent()) return resolvePath(testKernel.get(), "KTSTR_TEST_KERNEL=" + testKernel.get());
        tried.add("KTSTR_TEST_KERNEL: unset");

        Optional<String> ktstrKernel = env.get("KTSTR_KERNEL");
        if (ktstrKernel.isPresent()) return resolveId(ktstrKernel.get(), "KTSTR_KERNEL=" + ktstrKernel.get());
        tried.add("KTSTR_KERNEL: unset");

        try {
            KernelCache c = cache.get();
            List<CacheEntry> all = c.list();
            Optional<CacheEntry> usable = all.stream().filter(CacheEntry::usable).findFirst();
            if (usable.isPresent()) return fromCacheEntry(usable.get(), "cache entry " + usable.get().key());
            long stale = all.stream().filter(CacheEntry::stale).count();
            long corrupt = all.stream().filter(CacheEntry::corrupt).count();
            tried.add("kernel cache " + c.root() + ": " + (all.isEmpty() ? "empty"
                    : all.size() + " entries, none usable (" + stale + " stale kconfig, " + corrupt + " corrupt)"));
        } catch (KernelException e) {
            tried.add("kernel cache: unavailable: " + e.getMessage());
        }

        for (Path tree : List.of(cwd.resolve("linux"), cwd.getParent() == null ? cwd.resolve("..") : cwd.getParent().resolve("linux"),
                hostRoot.resolve("lib/modules").resolve(kernelRelease).resolve("build"))) {
            Path image = tree.resolve(arch.treeImagePath());
            if (!Files.isRegularFile(image)) {
                tried.add(image + ": not found");
                continue;
            }
            Optional<String> why = lacksSchedExt(tree.resolve(".config"));
            if (why.isPresent()) {
                tried.add(image + ": skipped, " + why.get());
                continue;
            }
            return fromTree(tree, "kernel tree " + tree, arch);
        }

        Path boot = hostRoot.resolve("boot");
        for (Path image : List.of(hostRoot.resolve("lib/modules").resolve(kernelRelease).resolve("vmlinuz"),
                boot.resolve("vmlinuz-" + kernelRelease), boot.resolve("vmlinuz"))) {
            if (!Files.isRegularFile(image)) {
                tried.add(image + ": not found");
                continue;
            }
            Optional<String> why = lacksSchedExt(boot.resolve("config-" + kernelRelease));
            if (why.isPresent()) {
                tried.add(image + ": skipped, " + why.get());
                continue;
            }
            return fromImage(image, "installed kernel " + image, arch);
        }
        throw new NoKernelFoundException(tried);
    }

    /** A reason to skip a candidate: its known config has no sched_ext. Unknown config is not a reason. */
    private static Optional<String> lacksSchedExt(Path config) {
        if (!Files.isRegularFile(config)) return Optional.empty();
        Map<String, String> c = ConfigVerifier.parseConfig(config);
        return "y".equals(c.get("SCHED_CLASS_EXT")) ? Optional.empty()
                : Optional.of(config + " has no CONFIG_SCHED_CLASS_EXT=y (no sched_ext)");
    }

    // ---------------------------------------------------------------- building ResolvedKernel

    public static ResolvedKernel fromCacheEntry(CacheEntry e, String source) {
        KernelMetadata md = e.metadata().orElseThrow(() -> new KernelException("cache entry " + e.key() + " is corrupt: " + e.problem()));
        Path dir = e.dir();
        Optional<Path> vmlinux = md.hasVmlinux() ? existing(dir.resolve(md.vmlinuxName() == null ? "vmlinux" : md.vmlinuxName())) : Optional.empty();
        Optional<Path> image = existing(dir.resolve(md.imageName()));
        Optional<Path> config = existing(dir.resolve("config"));
        return assemble(vmlinux, image, existing(dir.resolve("System.map")), existing(dir.resolve("vmlinux.btf")), config,
                existingDir(dir.resolve("scx")), KernelLabel.forCacheKey(e.key()), source, Optional.of(md.version()), Optional.of(e.key()),
                shortCommit(md.source() instanceof KernelSourceInfo.Local l ? l.gitHash()
                        : md.source() instanceof KernelSourceInfo.Git g ? g.gitHash() : null));
    }

    /** A kernel source tree with a built image; the tree's vmlinux is unstripped but boots all the same. */
    public static ResolvedKernel fromTree(Path tree, String source, Arch arch) {
        Path t = tree.toAbsolutePath().normalize();
        Optional<Path> config = existing(t.resolve(".config"));
        Optional<String> version = config.flatMap(KernelDiscovery::configVersion).or(() -> treeVersion(t));
        return assemble(existing(t.resolve("vmlinux")), existing(t.resolve(arch.treeImagePath())), existing(t.resolve("System.map")),
                Optional.empty(), config, existingDir(t.resolve("tools/sched_ext/build/bin")),
                KernelLabel.forPath(t, false), source, version, Optional.empty(),
                shortCommit(KernelBuilder.cleanGitHead(t).orElse(null)));
    }

    /**
     * A single image file. Companions are looked up beside it: the cache layout ({@code vmlinux}, {@code bzImage},
     * {@code System.map}, {@code vmlinux.btf}, {@code config}, {@code scx/}), the Debian /boot layout
     * ({@code System.map-R}, {@code config-R}), or the tree it was built in.
     */
    public static ResolvedKernel fromImage(Path image, String source, Arch arch) {
        Path img = image.toAbsolutePath().normalize();
        Path dir = img.getParent();
        // arch/x86/boot/bzImage inside a tree: the tree holds the companions
        Path maybeTree = dir.getParent() != null && dir.getParent().getParent() != null ? dir.getParent().getParent().getParent() : null;
        if (maybeTree != null && img.equals(maybeTree.resolve(arch.treeImagePath())) && isTree(maybeTree)) {
            return fromTree(maybeTree, source, arch);
        }
        String name = img.getFileName().toString();
        boolean elf = isElf(img);
        String suffix = name.startsWith("vmlinuz-") ? name.substring("vmlinuz-".length()) : null;
        Optional<Path> vmlinux = elf ? Optional.of(img) : existing(dir.resolve("vmlinux")).filter(KernelDiscovery::isElf);
        Optional<Path> compressed = elf ? existing(dir.resolve(arch.imageName())) : Optional.of(img);
        Optional<Path> systemMap = suffix != null ? existing(dir.resolve("System.map-" + suffix)) : existing(dir.resolve("System.map"));
        Optional<Path> config = suffix != null ? existing(dir.resolve("config-" + suffix)) : existing(dir.resolve("config"));
        Optional<String> version = config.flatMap(KernelDiscovery::configVersion)
                .or(() -> Optional.ofNullable(suffix));
        if (elf) {
            // a bare ELF is booted as given even when its config is unknown
            return new ResolvedKernel(img, true, vmlinux, compressed, systemMap, existing(dir.resolve("vmlinux.btf")), config,
                    existingDir(dir.resolve("scx")), imageLabel(img), source, version, Optional.empty(), Optional.empty());
        }
        return assemble(vmlinux, compressed, systemMap, existing(dir.resolve("vmlinux.btf")), config,
                existingDir(dir.resolve("scx")), imageLabel(img), source, version, Optional.empty(), Optional.empty());
    }

    /** Chooses the boot image: the PVH ELF when there is one and the config (if known) has CONFIG_PVH=y. */
    private static ResolvedKernel assemble(Optional<Path> vmlinux, Optional<Path> compressed, Optional<Path> systemMap,
                                           Optional<Path> btf, Optional<Path> config, Optional<Path> scx, String label,
                                           String source, Optional<String> version, Optional<String> key,
                                           Optional<String> commit) {
        Optional<Path> elf = vmlinux.filter(KernelDiscovery::isElf);
        boolean pvhCapable = config.map(c -> "y".equals(ConfigVerifier.parseConfig(c).get("PVH"))).orElse(true);
        Path boot;
        boolean pvh;
        if (elf.isPresent() && (pvhCapable || compressed.isEmpty())) {
            boot = elf.get();
            pvh = true;
        } else if (compressed.isPresent()) {
            boot = compressed.get();
            pvh = false;
        } else {
            throw new KernelException(source + ": no bootable image (no vmlinux ELF and no compressed image)");
        }
        return new ResolvedKernel(boot, pvh, vmlinux, compressed, systemMap, btf, config, scx, label, source, version, key, commit);
    }

    /** The sidecar's kernel_commit form: 7 hex digits of a git hash; empty when there is none. */
    static Optional<String> shortCommit(String gitHash) {
        return gitHash != null && gitHash.matches("[0-9a-f]{7,64}") ? Optional.of(gitHash.substring(0, 7)) : Optional.empty();
    }

    /** Path label; a generic file name (bzImage, vmlinux) says nothing, so its directory names the kernel. */
    static String imageLabel(Path img) {
        String n = img.getFileName().toString();
        boolean generic = n.equals("vmlinux") || n.equals("vmlinuz") || n.equals("bzImage") || n.equals("Image");
        return KernelLabel.forPath(generic && img.getParent() != null ? img.getParent() : img, false);
    }

    static boolean isTree(Path dir) {
        return Files.isRegularFile(dir.resolve("Makefile")) && Files.isRegularFile(dir.resolve("Kconfig"));
    }

    static boolean isElf(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return Arrays.equals(magic, new byte[] {0x7f, 'E', 'L', 'F'});
        } catch (IOException e) {
            return false;
        }
    }

    /** Release from the first lines of a .config ({@code # Linux/x86 6.12.117 Kernel Configuration}). */
    static Optional<String> configVersion(Path config) {
        try (var lines = Files.lines(config)) {
            return lines.limit(5).map(CONFIG_HEADER::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** VERSION.PATCHLEVEL.SUBLEVEL(EXTRAVERSION) from a tree's top Makefile. */
    static Optional<String> treeVersion(Path tree) {
        try {
            return MakefileVersion.parse(Files.readString(tree.resolve("Makefile")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> existing(Path p) {
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    private static Optional<Path> existingDir(Path p) {
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }
}
