package dev.ktstr.vmm.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ktstr kernel build}: obtains a kernel tree (Debian's linux-source tarball, a kernel.org download, or a
 * local tree), configures it ({@code defconfig + kvm_guest.config + ktstr.kconfig}, then {@code olddefconfig}),
 * verifies the options ktstr needs survived, builds {@code vmlinux} and the compressed image with periodic progress,
 * builds the sched_ext example schedulers with clang, and stores a stripped vmlinux, its BTF, the image,
 * System.map, config and schedulers as one atomic cache entry.
 *
 * <p>Tarballs are unpacked with the system {@code tar} (it streams .xz through xz; commons-compress would need
 * the extra xz-java dependency for the same result).
 */
public final class KernelBuilder {

    /** Example schedulers of the kernel's tools/sched_ext that ktstr tests use. */
    public static final List<String> SCX_SCHEDULERS = List.of("scx_simple", "scx_qmap", "scx_central", "scx_flatcg");

    private static final Pattern LINUX_SOURCE = Pattern.compile("^linux-source-(\\d+)\\.(\\d+)\\.tar\\.(xz|gz|bz2)$");

    /** What to build. {@code version} and {@code source} exclude each other; {@code jobs} 0 means all CPUs. */
    public record Request(Optional<String> version, Optional<Path> source, boolean force, int jobs) {
        public Request {
            if (version.isPresent() && source.isPresent()) {
                throw new KernelException("give either a VERSION or --source, not both (--source already determines the version)");
            }
            if (jobs < 0) throw new KernelException("--jobs must be positive, got " + jobs);
        }
    }

    /** Outcome: the key and entry, whether it was already cached, and the wall time taken. */
    public record Result(String key, CacheEntry entry, boolean cached, Duration took, List<String> warnings) {}

    private final KernelCache cache;
    private final Arch arch;
    private final Consumer<String> out;
    private Duration heartbeat = Duration.ofSeconds(30);
    private Path sourceDir = Path.of("/usr/src");
    /** Clang binaries tried by default, in order. */
    static final List<String> CLANGS = List.of("clang-19", "clang");
    private List<String> clangCandidates = CLANGS;
    private Duration downloadConnectTimeout = Duration.ofSeconds(10);

    /** @param out receives progress and warnings, one line per call */
    public KernelBuilder(KernelCache cache, Arch arch, Consumer<String> out) {
        this.cache = cache;
        this.arch = arch;
        this.out = out;
    }

    public KernelBuilder heartbeat(Duration d) {
        this.heartbeat = d;
        return this;
    }

    /** Where distribution kernel source tarballs live ({@code /usr/src}); tests point it elsewhere. */
    public KernelBuilder sourceDir(Path d) {
        this.sourceDir = d;
        return this;
    }

    /** Clang binaries tried, in order, for tools/sched_ext. */
    public KernelBuilder clangCandidates(List<String> names) {
        this.clangCandidates = List.copyOf(names);
        return this;
    }

    public KernelBuilder downloadConnectTimeout(Duration d) {
        this.downloadConnectTimeout = d;
        return this;
    }

    // ---------------------------------------------------------------- source selection

    /** Picks the source for a request without building anything. */
    public KernelSourceSpec chooseSource(Request r) {
        if (r.source().isPresent()) {
            Path p = r.source().get().toAbsolutePath().normalize();
            if (!Files.exists(p)) throw new KernelException("--source " + p + " does not exist");
            if (Files.isDirectory(p)) {
                if (!KernelDiscovery.isTree(p)) {
                    throw new KernelException("--source " + p + " is not a kernel tree (needs Makefile and Kconfig at its top)");
                }
                return new KernelSourceSpec.LocalTree(p);
            }
            String name = p.getFileName().toString();
            if (!name.matches(".*\\.(tar|tar\\.xz|tar\\.gz|tgz|tar\\.bz2|tar\\.zst)$")) {
                throw new KernelException("--source " + p + " is neither a directory nor a tarball (.tar, .tar.xz, .tar.gz, .tar.bz2)");
            }
            return new KernelSourceSpec.TarballFile(p, probeTarballVersion(p));
        }
        List<Path> local = distributionTarballs();
        if (r.version().isPresent()) {
            KernelVersion want = KernelVersion.parse(r.version().get());
            for (Path t : local) {
                Optional<KernelVersion> have = KernelVersion.tryParse(probeTarballVersion(t));
                if (have.isPresent() && want.matches(have.get())) {
                    out.accept("using " + t + " (Linux " + have.get() + ") for " + want);
                    return new KernelSourceSpec.TarballFile(t, have.get().toString());
                }
            }
            return new KernelSourceSpec.Download(want, want.tarballUrl());
        }
        if (local.isEmpty()) {
            throw new KernelException("no kernel source found: " + sourceDir + " has no linux-source-*.tar.xz. Install one "
                    + "(`apt-get install linux-source-6.12`, or run ops/setup.sh), name a kernel.org VERSION "
                    + "(`ktstr kernel build 6.12.8`, needs network), or pass --source DIR|TARBALL");
        }
        Path newest = local.get(0);
        return new KernelSourceSpec.TarballFile(newest, probeTarballVersion(newest));
    }

    /** {@code linux-source-M.m.tar.*} under the source dir, newest series first. */
    List<Path> distributionTarballs() {
        if (!Files.isDirectory(sourceDir)) return List.of();
        try (Stream<Path> s = Files.list(sourceDir)) {
            return s.filter(p -> LINUX_SOURCE.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing((Path p) -> {
                        Matcher m = LINUX_SOURCE.matcher(p.getFileName().toString());
                        m.matches();
                        return KernelVersion.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), 0);
                    }).reversed())
                    .toList();
        } catch (IOException e) {
            throw new KernelException("cannot list " + sourceDir + ": " + e.getMessage(), e);
        }
    }

    /** Reads VERSION/PATCHLEVEL/SUBLEVEL from the tarball's top-level Makefile without unpacking the rest. */
    static String probeTarballVersion(Path tarball) {
        String text = CommandRunner.capture(List.of("tar", "-xOf", tarball.toString(), "--wildcards",
                "--no-wildcards-match-slash", "*/Makefile", "--occurrence=1"), tarball.getParent(), 300);
        Optional<String> v = text == null ? Optional.empty() : MakefileVersion.parse(text);
        return v.orElseThrow(() -> new KernelException(tarball + " does not look like a kernel source tarball: "
                + "no top-level Makefile with VERSION/PATCHLEVEL/SUBLEVEL"));
    }

    // ---------------------------------------------------------------- keys

    /** Cache key for a source (for a local tree this inspects git state and the existing .config). */
    public String keyFor(KernelSourceSpec src) {
        String kc = "-" + arch.id() + "-kc" + cache.fragment().hash();
        if (src instanceof KernelSourceSpec.TarballFile t) return t.version() + "-tarball" + kc;
        if (src instanceof KernelSourceSpec.Download d) return d.version() + "-tarball" + kc;
        Path dir = ((KernelSourceSpec.LocalTree) src).dir();
        Optional<String> hash = cleanGitHead(dir);
        if (hash.isEmpty()) return "local-unknown-" + Hashes.crc32Hex(canonical(dir).toString()) + kc;
        Path config = dir.resolve(".config");
        String cfg = Files.isRegularFile(config) ? "-cfg" + Hashes.crc32Hex(config) : "";
        return "local-" + hash.get().substring(0, 7) + "-" + arch.id() + cfg + "-kc" + cache.fragment().hash();
    }

    /** HEAD of {@code dir} when it is the top of a git checkout without modified tracked files. */
    static Optional<String> cleanGitHead(Path dir) {
        String top = CommandRunner.capture(List.of("git", "rev-parse", "--show-toplevel"), dir, 30);
        if (top == null || !Path.of(top.trim()).equals(canonical(dir))) return Optional.empty();
        String head = CommandRunner.capture(List.of("git", "rev-parse", "HEAD"), dir, 30);
        String status = CommandRunner.capture(List.of("git", "status", "--porcelain", "--untracked-files=no"), dir, 120);
        if (head == null || status == null || !status.isBlank()) return Optional.empty();
        return Optional.of(head.trim());
    }

    private static Path canonical(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    // ---------------------------------------------------------------- build

    @SuppressWarnings("try") // the lock is held for its scope, not used
    public Result build(Request r) {
        long t0 = System.nanoTime();
        KernelSourceSpec src = chooseSource(r);
        String key = keyFor(src);
        boolean unknownTree = key.startsWith("local-unknown-");
        List<String> warnings = new ArrayList<>();
        List<Path> swept = cache.sweepLeftovers();
        swept.forEach(p -> out.accept("removed leftover of an interrupted build: " + p));

        Optional<EntryLock> maybeLock = cache.tryLock(key);
        if (maybeLock.isEmpty()) out.accept("waiting for another process building " + key + " ...");
        try (EntryLock lock = maybeLock.orElseGet(() -> cache.lock(key))) {
            Optional<CacheEntry> existing = cache.get(key);
            if (existing.isPresent() && existing.get().usable() && !r.force() && !unknownTree) {
                out.accept("kernel " + key + " is already cached in " + existing.get().dir() + " (use --force to rebuild)");
                return new Result(key, existing.get(), true, Duration.ofNanos(System.nanoTime() - t0), warnings);
            }
            existing.filter(CacheEntry::stale).ifPresent(e -> out.accept("rebuilding stale entry " + key + ": " + e.problem()));
            existing.filter(CacheEntry::corrupt).ifPresent(e -> out.accept("replacing corrupt entry " + key + ": " + e.tag()));
            if (unknownTree) {
                out.accept(((KernelSourceSpec.LocalTree) src).dir() + " is not a clean git checkout: make rebuilds whatever "
                        + "changed and the entry is replaced");
            }
            CacheEntry entry = buildLocked(src, key, r, warnings, t0);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            out.accept("stored " + key + " in " + entry.dir() + " (" + BuildProgress.format(took) + ")");
            return new Result(key, entry, false, took, warnings);
        }
    }

    private CacheEntry buildLocked(KernelSourceSpec src, String key, Request r, List<String> warnings, long t0) {
        int jobs = r.jobs() > 0 ? r.jobs() : Runtime.getRuntime().availableProcessors();
        Path logs = cache.buildArea().resolve("logs");
        Path buildDir = null;
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve(key + ".log");
            Files.deleteIfExists(log);
            Path tree;
            boolean freshTree;
            KernelSourceInfo info;
            if (src instanceof KernelSourceSpec.LocalTree lt) {
                tree = lt.dir();
                freshTree = false;
                info = new KernelSourceInfo.Local(tree.toString(), cleanGitHead(tree).orElse(null));
            } else {
                buildDir = cache.buildArea().resolve(key + "-" + ProcessHandle.current().pid());
                KernelCache.deleteTree(buildDir);
                ExitCleanup.register(buildDir);
                tree = buildDir.resolve("linux");
                Files.createDirectories(tree);
                Path tarball;
                String origin;
                if (src instanceof KernelSourceSpec.Download d) {
                    tarball = buildDir.resolve("linux-" + d.version() + (d.url().endsWith(".tar.gz") ? ".tar.gz" : ".tar.xz"));
                    download(d.url(), tarball);
                    origin = d.url();
                } else {
                    tarball = ((KernelSourceSpec.TarballFile) src).file();
                    origin = tarball.toString();
                }
                extract(tarball, tree, log);
                freshTree = true;
                info = new KernelSourceInfo.Tarball(origin);
            }
            out.accept("log: " + log);
            configure(tree, freshTree, jobs, log);
            OptionalInt estimate = freshTree || !Files.exists(tree.resolve("vmlinux")) ? OptionalInt.of(estimate()) : OptionalInt.empty();
            int compiled = compile(tree, jobs, log, estimate);
            List<Path> scx = buildSchedulers(tree, jobs, log, warnings);
            return store(key, tree, info, scx, log, compiled, t0);
        } catch (IOException e) {
            throw new KernelException("kernel build of " + key + " failed: " + e.getMessage(), e);
        } finally {
            if (buildDir != null) {
                removeQuietly(buildDir);
                ExitCleanup.unregister(buildDir);
            }
        }
    }

    private void removeQuietly(Path dir) {
        try {
            KernelCache.deleteTree(dir);
        } catch (IOException e) {
            out.accept("warning: could not remove build dir " + dir + ": " + e.getMessage() + " (it is swept on the next build)");
        }
    }

    /** The largest object count recorded by an earlier build, else the measured default. */
    int estimate() {
        int best = cache.list().stream().flatMap(e -> e.metadata().stream())
                .filter(m -> arch.id().equals(m.arch()))
                .mapToInt(KernelMetadata::compiledObjects).max().orElse(0);
        return best >= 1000 ? best : BuildProgress.DEFAULT_ESTIMATE; // smaller counts come from incremental builds
    }

    void extract(Path tarball, Path tree, Path log) {
        out.accept("extracting " + tarball + " (about a minute for a full kernel tarball) ...");
        long t = System.nanoTime();
        var res = CommandRunner.run(List.of("tar", "-xf", tarball.toString(), "-C", tree.toString(), "--strip-components=1"),
                tree, Map.of(), log, null);
        if (res.exitCode() != 0) {
            throw new KernelException("cannot extract " + tarball + " (tar exit " + res.exitCode() + "):\n" + res.tailText());
        }
        if (!KernelDiscovery.isTree(tree)) {
            throw new KernelException(tarball + " did not unpack to a kernel tree (no Makefile + Kconfig under its top directory)");
        }
        out.accept("extracted in " + BuildProgress.format(Duration.ofNanos(System.nanoTime() - t)));
    }

    /**
     * defconfig (fresh tree or no .config) + kvm_guest.config + fragment + olddefconfig. A local tree whose .config
     * already enables sched_ext is left alone: its owner configured it. Then the required options are verified.
     */
    void configure(Path tree, boolean fresh, int jobs, Path log) throws IOException {
        Path dotConfig = tree.resolve(".config");
        boolean needed = fresh || !Files.isRegularFile(dotConfig)
                || !"y".equals(ConfigVerifier.parseConfig(dotConfig).get("SCHED_CLASS_EXT"));
        if (needed) {
            out.accept("configuring: defconfig + kvm_guest.config + ktstr.kconfig (kc" + cache.fragment().hash() + ") + olddefconfig");
            if (fresh || !Files.isRegularFile(dotConfig)) make(tree, log, "defconfig");
            make(tree, log, "kvm_guest.config");
            Files.writeString(dotConfig, "\n# ktstr.kconfig\n" + cache.fragment().text(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            make(tree, log, "olddefconfig");
        } else {
            out.accept("using the existing " + dotConfig + " (it already enables sched_ext)");
        }
        List<ConfigVerifier.Missing> missing = ConfigVerifier.verify(dotConfig, arch);
        if (!missing.isEmpty()) throw new KernelException(ConfigVerifier.describe(dotConfig, missing));
    }

    private void make(Path tree, Path log, String... targets) {
        List<String> cmd = new ArrayList<>(List.of("make"));
        cmd.addAll(List.of(targets));
        var res = CommandRunner.run(cmd, tree, Map.of(), log, null);
        if (res.exitCode() != 0) {
            throw new KernelException("`" + String.join(" ", cmd) + "` failed in " + tree + " (exit " + res.exitCode() + "):\n"
                    + res.tailText() + "\nfull log: " + log);
        }
    }

    int compile(Path tree, int jobs, Path log, OptionalInt estimate) {
        out.accept("building vmlinux and " + arch.imageName() + " with make -j" + jobs
                + estimate.stream().mapToObj(e -> " (about " + e + " objects for a full build)").findFirst().orElse(" (incremental)"));
        BuildProgress progress = new BuildProgress(estimate, System::nanoTime);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ktstr-build-progress");
            t.setDaemon(true);
            return t;
        });
        long periodMs = Math.max(1, heartbeat.toMillis());
        ticker.scheduleAtFixedRate(() -> out.accept("[kernel build] " + progress.status()), periodMs, periodMs, TimeUnit.MILLISECONDS);
        try {
            var res = CommandRunner.run(List.of("make", "-j" + jobs, "vmlinux", arch.imageName(), "KCFLAGS=-Wno-error"),
                    tree, Map.of(), log, line -> {
                        if (progress.accept(line) && !progress.phase().equals("compiling")) {
                            out.accept("[kernel build] " + progress.status());
                        }
                    });
            if (res.exitCode() != 0) {
                throw new KernelException("kernel build failed (make exit " + res.exitCode() + ") after "
                        + BuildProgress.format(progress.elapsed()) + "; last lines:\n" + res.tailText() + "\nfull log: " + log);
            }
        } finally {
            ticker.shutdownNow();
        }
        out.accept("[kernel build] done: " + progress.compiled() + " objects in " + BuildProgress.format(progress.elapsed()));
        return progress.compiled();
    }

    /** Builds tools/sched_ext with clang; a failure is a warning (the kernel itself is still useful for EEVDF tests). */
    List<Path> buildSchedulers(Path tree, int jobs, Path log, List<String> warnings) {
        Path scxTree = tree.resolve("tools/sched_ext");
        if (!Files.isRegularFile(scxTree.resolve("Makefile"))) {
            warn(warnings, "this kernel tree has no tools/sched_ext; no scheduler binaries stored");
            return List.of();
        }
        Optional<String> clang = clangCandidates.stream().filter(KernelBuilder::onPath).findFirst();
        if (clang.isEmpty()) {
            warn(warnings, "no clang found (tried " + String.join(", ", clangCandidates) + "); sched_ext schedulers not built. "
                    + "Install clang-19 (ops/setup.sh) and rerun with --force");
            return List.of();
        }
        out.accept("building sched_ext schedulers (tools/sched_ext, CLANG=" + clang.get() + ") ...");
        long t = System.nanoTime();
        // VMLINUX_BTF pinned to this tree's vmlinux: the Makefile would otherwise fall back to the host's
        // /sys/kernel/btf/vmlinux and build schedulers against the wrong kernel's types
        var res = CommandRunner.run(List.of("make", "-C", "tools/sched_ext", "-j" + jobs, "CLANG=" + clang.get(),
                "VMLINUX_BTF=" + tree.resolve("vmlinux")), tree, Map.of(), log, null);
        Path bin = scxTree.resolve("build/bin");
        if (res.exitCode() != 0) {
            List<String> t15 = res.tail().subList(Math.max(0, res.tail().size() - 15), res.tail().size());
            warn(warnings, "tools/sched_ext failed to build (exit " + res.exitCode() + "); continuing without schedulers. Last lines:\n"
                    + String.join("\n", t15) + "\nfull log: " + log);
        }
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(bin)) {
            try (Stream<Path> s = Files.list(bin)) {
                s.filter(Files::isRegularFile).filter(Files::isExecutable).sorted().forEach(found::add);
            } catch (IOException e) {
                warn(warnings, "cannot list " + bin + ": " + e.getMessage());
            }
        }
        List<String> names = found.stream().map(p -> p.getFileName().toString()).toList();
        List<String> absent = SCX_SCHEDULERS.stream().filter(n -> !names.contains(n)).toList();
        if (res.exitCode() == 0 && !absent.isEmpty()) warn(warnings, "tools/sched_ext built but lacks " + String.join(", ", absent));
        out.accept("schedulers: " + (names.isEmpty() ? "none" : String.join(", ", names))
                + " (" + BuildProgress.format(Duration.ofNanos(System.nanoTime() - t)) + ")");
        // a rebuilt local tree's build/bin may already list an older scx_ktstr: the fresh one replaces it, or, if the
        // fixture failed this time, the stale one is not stored as if it had been built
        found.removeIf(p -> p.getFileName().toString().equals(FixtureScheduler.NAME));
        buildFixture(tree, clang.get(), jobs, log, warnings).ifPresent(found::add);
        return found;
    }

    /**
     * ktstr's fixture scheduler, a separate make after the four: whatever goes wrong here (a compile error, a
     * missing resource) is a recorded warning and never costs the example schedulers already built.
     */
    Optional<Path> buildFixture(Path tree, String clang, int jobs, Path log, List<String> warnings) {
        out.accept("building the fixture scheduler " + FixtureScheduler.NAME + " ...");
        try {
            var res = FixtureScheduler.make(tree, clang, tree.resolve("vmlinux"), jobs, log);
            Path bin = tree.resolve("tools/sched_ext/build/bin").resolve(FixtureScheduler.NAME);
            if (res.exitCode() != 0 || !Files.isExecutable(bin)) {
                List<String> t15 = res.tail().subList(Math.max(0, res.tail().size() - 15), res.tail().size());
                warn(warnings, FixtureScheduler.NAME + " failed to build (exit " + res.exitCode() + "); the other schedulers are kept. "
                        + "Last lines:\n" + String.join("\n", t15) + "\nfull log: " + log);
                return Optional.empty();
            }
            return Optional.of(bin);
        } catch (IOException | RuntimeException e) {
            warn(warnings, FixtureScheduler.NAME + " could not be built (" + e + "); the other schedulers are kept");
            return Optional.empty();
        }
    }

    private void warn(List<String> warnings, String w) {
        warnings.add(w);
        out.accept("warning: " + w);
    }

    static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }

    private CacheEntry store(String key, Path tree, KernelSourceInfo info, List<Path> scx, Path log, int compiled, long t0) throws IOException {
        Path vmlinux = tree.resolve("vmlinux");
        Path image = tree.resolve(arch.treeImagePath());
        for (Path p : List.of(vmlinux, image, tree.resolve("System.map"), tree.resolve(".config"))) {
            if (!Files.isRegularFile(p)) throw new KernelException("the build finished but " + p + " is missing; see " + log);
        }
        String version = KernelDiscovery.treeVersion(tree).orElseThrow(() -> new KernelException(tree + "/Makefile has no kernel version"));
        try (KernelCache.Staging st = cache.beginStore(key)) {
            Path d = st.dir();
            out.accept("storing: strip --strip-debug vmlinux, extract .BTF ...");
            tool(log, tree, "strip", "--strip-debug", "-o", d.resolve("vmlinux").toString(), vmlinux.toString());
            tool(log, tree, "objcopy", "-O", "binary", "--only-section=.BTF", vmlinux.toString(), d.resolve("vmlinux.btf").toString());
            if (!Files.isRegularFile(d.resolve("vmlinux.btf")) || Files.size(d.resolve("vmlinux.btf")) == 0) {
                throw new KernelException(vmlinux + " has no .BTF section although CONFIG_DEBUG_INFO_BTF=y; is pahole installed? see " + log);
            }
            Files.copy(image, d.resolve(arch.imageName()));
            Files.copy(tree.resolve("System.map"), d.resolve("System.map"));
            Files.copy(tree.resolve(".config"), d.resolve("config"));
            List<String> names = new ArrayList<>();
            if (!scx.isEmpty()) {
                Files.createDirectories(d.resolve("scx"));
                for (Path p : scx) {
                    Files.copy(p, d.resolve("scx").resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                    names.add(p.getFileName().toString());
                }
            }
            Files.copy(log, d.resolve("build.log"));
            KernelMetadata md = new KernelMetadata(KernelMetadata.CURRENT_SCHEMA, version, info, arch.id(), arch.imageName(), "vmlinux",
                    Hashes.crc32Hex(tree.resolve(".config")), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                    cache.fragment().hash(), true, true, Files.size(vmlinux), names, null,
                    Duration.ofNanos(System.nanoTime() - t0).toSeconds(), compiled);
            CacheEntry e = st.commit(md);
            if (e.corrupt()) throw new KernelException("stored entry " + key + " failed its own check: " + e.tag());
            return e;
        }
    }

    private static void tool(Path log, Path dir, String... cmd) {
        var res = CommandRunner.run(List.of(cmd), dir, Map.of(), log, null);
        if (res.exitCode() != 0) {
            throw new KernelException("`" + String.join(" ", cmd) + "` failed (exit " + res.exitCode() + "):\n" + res.tailText());
        }
    }

    // ---------------------------------------------------------------- download

    void download(String url, Path dest) {
        out.accept("downloading " + url + " ...");
        HttpClient client = HttpClient.newBuilder().connectTimeout(downloadConnectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build();
        String offline = "Build from local sources instead: `apt-get install linux-source-6.12` and run `ktstr kernel build` "
                + "(it uses /usr/src/linux-source-*.tar.xz), or `ktstr kernel build --source DIR|TARBALL`.";
        try {
            HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = resp.body()) {
                if (resp.statusCode() == 404) {
                    throw new KernelException("kernel.org has no " + url + " (HTTP 404): check the version (`ktstr kernel build 6.12.8`)");
                }
                if (resp.statusCode() != 200) throw new KernelException("downloading " + url + " failed: HTTP " + resp.statusCode() + ". " + offline);
                String type = resp.headers().firstValue("content-type").orElse("");
                if (type.startsWith("text/html")) {
                    throw new KernelException(url + " returned an HTML page instead of a tarball (a captive portal or a removed RC?). " + offline);
                }
                long total = resp.headers().firstValueAsLong("content-length").orElse(-1);
                Path part = dest.resolveSibling(dest.getFileName() + ".part");
                long got = 0;
                long lastReport = System.nanoTime();
                try (OutputStream o = Files.newOutputStream(part)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        o.write(buf, 0, n);
                        got += n;
                        if (System.nanoTime() - lastReport > 5_000_000_000L) {
                            lastReport = System.nanoTime();
                            out.accept("  " + (got >> 20) + (total > 0 ? "/" + (total >> 20) : "") + " MiB");
                        }
                    }
                }
                if (total > 0 && got != total) throw new KernelException("download of " + url + " truncated: " + got + " of " + total + " bytes");
                Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING);
                out.accept("downloaded " + (got >> 20) + " MiB");
            }
        } catch (HttpConnectTimeoutException | ConnectException | UnknownHostException e) {
            throw new KernelException("cannot download " + url + ": the network is unavailable (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "). " + offline, e);
        } catch (HttpTimeoutException e) {
            throw new KernelException("cannot download " + url + ": kernel.org did not answer in time. " + offline, e);
        } catch (IOException e) {
            throw new KernelException("cannot download " + url + ": " + e.getMessage() + ". " + offline, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelException("download of " + url + " interrupted", e);
        }
    }
}
