package dev.ktstr.vmm.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * ktstr's own fixture sched_ext scheduler {@code scx_ktstr} (sources: resources {@code dev/ktstr/vmm/kernel/scx_ktstr/}).
 * A full {@code ktstr kernel build} builds it next to the four example schedulers ({@link KernelBuilder}); for a
 * cache entry built before it existed, {@link #ensure} builds it alone (about a minute): it extracts {@code tools/}
 * (plus the few kernel files {@code tools/sched_ext}'s bpftool build needs) from the entry's source tarball, drops the
 * two sources into {@code tools/sched_ext} and runs that directory's own Makefile for this one target, with
 * {@code VMLINUX_BTF} pinned to the entry's BTF (bpftool dumps vmlinux.h from it; libbpf and bpftool are built
 * from the same tree, so the host needs only clang, gcc, make and libelf/zlib headers).
 *
 * <p>The result lives in {@code <fixtureRoot>/<entry key>/<sources crc>/scx_ktstr}, not in the entry's
 * {@code scx/}: an entry's file list is part of its integrity record (metadata.json {@code files}), so adding a file
 * there would make a checked entry look tampered with. Keyed by the sources' CRC so an edited fixture rebuilds.
 * A file lock per entry serialises concurrent builds (two JVMs planning the same suite); the loser finds the
 * winner's binary.
 */
public final class FixtureScheduler {

    public static final String NAME = "scx_ktstr";
    static final String RESOURCES = "/dev/ktstr/vmm/kernel/scx_ktstr/";
    static final List<String> SOURCES = List.of("scx_ktstr.bpf.c", "scx_ktstr.c");
    /** What tools/sched_ext's build reads outside tools/: bpftool's disassembler, the uapi headers. */
    static final List<String> TREE_PARTS = List.of("tools", "include/uapi", "arch/x86/include/uapi", "scripts",
            "kernel/bpf/disasm.c", "kernel/bpf/disasm.h");
    private static final Pattern ORIGIN = Pattern.compile("\"origin\"\\s*:\\s*\"([^\"]+)\"");

    /** Where a fixture binary came from and how long getting it took. */
    public record Built(Path binary, boolean cached, Duration took) {}

    private FixtureScheduler() {}

    /** The default fixture cache: {@code $KTSTR_CACHE_DIR/fixture} or {@code ~/.cache/ktstr/fixture}. */
    public static Path defaultRoot() {
        String c = System.getenv("KTSTR_CACHE_DIR");
        if (c != null && !c.isBlank()) return Path.of(c).resolve("fixture");
        return Path.of(System.getProperty("user.home"), ".cache", "ktstr", "fixture");
    }

    /** The fixture for the kernel whose boot image is {@code image} (a cache entry's bzImage). */
    public static Built forKernelImage(Path image, Consumer<String> out) {
        Path entry = image.toAbsolutePath().normalize().getParent();
        return ensure(entry, defaultRoot(), out);
    }

    /**
     * The entry's own {@code scx/scx_ktstr} when a full build produced one; else a cached standalone build; else
     * builds it now.
     */
    public static Built ensure(Path entryDir, Path fixtureRoot, Consumer<String> out) {
        long t0 = System.nanoTime();
        Path own = entryDir.resolve("scx").resolve(NAME);
        if (Files.isExecutable(own)) return new Built(own, true, Duration.ofNanos(System.nanoTime() - t0));
        Path btf = Files.isRegularFile(entryDir.resolve("vmlinux.btf")) ? entryDir.resolve("vmlinux.btf") : entryDir.resolve("vmlinux");
        if (!Files.isRegularFile(btf)) {
            throw new KernelException(entryDir + " has neither vmlinux.btf nor vmlinux: not a kernel cache entry, so "
                    + NAME + " cannot be built for it (point KTSTR_TEST_KERNEL at a cache entry's bzImage)");
        }
        String key = entryDir.getFileName().toString();
        Path target = fixtureRoot.resolve(key).resolve(sourcesCrc()).resolve(NAME);
        if (Files.isExecutable(target)) return new Built(target, true, Duration.ofNanos(System.nanoTime() - t0));
        try (EntryLock lock = EntryLock.acquire(fixtureRoot.resolve(".locks").resolve(key + ".lock"))) {
            if (Files.isExecutable(target)) return new Built(target, true, Duration.ofNanos(System.nanoTime() - t0));
            List<String> missing = missingPrerequisites();
            if (!missing.isEmpty()) {
                throw new KernelException("cannot build the fixture scheduler " + NAME + ": missing " + String.join(", ", missing)
                        + ". Install them (ops/setup.sh does: apt-get install clang-19 build-essential libelf-dev zlib1g-dev xz-utils)");
            }
            Path tarball = sourceTarball(entryDir);
            Path work = target.getParent().resolve(".build-" + ProcessHandle.current().pid());
            Path log = target.getParent().resolve("build.log");
            try {
                deleteTree(work);
                Files.createDirectories(work);
                out.accept("building fixture scheduler " + NAME + " for " + key + " from " + tarball + " ...");
                Path tree = extract(tarball, work, log);
                String clang = KernelBuilder.CLANGS.stream().filter(KernelBuilder::onPath).findFirst().orElseThrow();
                CommandRunner.Result res = make(tree, clang, btf, Math.max(1, Runtime.getRuntime().availableProcessors()), log);
                Path bin = tree.resolve("tools/sched_ext/build/bin").resolve(NAME);
                if (res.exitCode() != 0 || !Files.isExecutable(bin)) {
                    throw new KernelException(NAME + " failed to build (make exit " + res.exitCode() + "); last lines:\n"
                            + res.tailText() + "\nfull log: " + log);
                }
                Path tmp = target.resolveSibling(NAME + ".tmp");
                Files.copy(bin, tmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                out.accept("built " + target + " in " + BuildProgress.format(took));
                return new Built(target, false, took);
            } finally {
                deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("building " + NAME + " under " + target.getParent() + ": " + e.getMessage(), e);
        }
    }

    /** The fixture linked against a shared libbpf: {@code binary}'s RUNPATH is {@code libbpf}'s directory. */
    public record SharedLinked(Path binary, Path libbpf) {}

    /**
     * The fixture's user space linked against a shared {@code libbpf.so.1} (the same tree's libbpf, built shared)
     * that lives in {@code dir/lib}, the binary in {@code dir/bin} with RUNPATH {@code dir/lib}: the shape of an
     * out-of-tree scheduler whose libbpf sits in a host directory, e.g. under /tmp, which the guest mounts over.
     * The object file and the shared libbpf are built once per entry (one more tree build, about a minute) and
     * cached next to the static binary; linking into {@code dir} takes a moment.
     */
    public static SharedLinked linkedAgainstSharedLibbpf(Path entryDir, Path fixtureRoot, Path dir, Consumer<String> out) {
        Path entry = entryDir.toAbsolutePath().normalize();
        String key = entry.getFileName().toString();
        Path parts = fixtureRoot.resolve(key).resolve(sourcesCrc()).resolve("shared-libbpf");
        Path object = parts.resolve(NAME + ".o");
        Path so = parts.resolve(LIBBPF_SONAME);
        try {
            if (!Files.isRegularFile(object) || !Files.isRegularFile(so)) {
                try (EntryLock lock = EntryLock.acquire(fixtureRoot.resolve(".locks").resolve(key + ".lock"))) {
                    if (!Files.isRegularFile(object) || !Files.isRegularFile(so)) buildSharedParts(entry, parts, out);
                }
            }
            Path lib = Files.createDirectories(dir.resolve("lib"));
            Path bin = Files.createDirectories(dir.resolve("bin")).resolve(NAME);
            Files.copy(so, lib.resolve(LIBBPF_SONAME), StandardCopyOption.REPLACE_EXISTING);
            Path log = dir.resolve("link.log");
            CommandRunner.Result res = CommandRunner.run(List.of("gcc", "-o", bin.toString(), object.toString(), "-L" + lib,
                    "-l:" + LIBBPF_SONAME, "-lelf", "-lz", "-lpthread", "-Wl,--enable-new-dtags,-rpath," + lib.toAbsolutePath()),
                    dir, Map.of(), log, null);
            if (res.exitCode() != 0 || !Files.isExecutable(bin)) {
                throw new KernelException("linking " + NAME + " against " + so + " failed (gcc exit " + res.exitCode() + "):\n"
                        + res.tailText() + "\nfull log: " + log);
            }
            return new SharedLinked(bin, lib.resolve(LIBBPF_SONAME));
        } catch (IOException e) {
            throw new UncheckedIOException("linking " + NAME + " against a shared libbpf in " + dir + ": " + e.getMessage(), e);
        }
    }

    static final String LIBBPF_SONAME = "libbpf.so.1";

    /** One tree build that keeps the fixture's object file and builds the tree's libbpf shared. */
    private static void buildSharedParts(Path entryDir, Path parts, Consumer<String> out) throws IOException {
        Path btf = Files.isRegularFile(entryDir.resolve("vmlinux.btf")) ? entryDir.resolve("vmlinux.btf") : entryDir.resolve("vmlinux");
        List<String> missing = missingPrerequisites();
        if (!missing.isEmpty()) throw new KernelException("cannot build " + NAME + " against a shared libbpf: missing " + String.join(", ", missing));
        Files.createDirectories(parts);
        Path work = parts.resolve(".build-" + ProcessHandle.current().pid());
        Path log = parts.resolve("build.log");
        try {
            deleteTree(work);
            Files.createDirectories(work);
            out.accept("building " + NAME + "'s object file and a shared libbpf for " + entryDir.getFileName() + " ...");
            Path tree = extract(sourceTarball(entryDir), work, log);
            String clang = KernelBuilder.CLANGS.stream().filter(KernelBuilder::onPath).findFirst().orElseThrow();
            int jobs = Math.max(1, Runtime.getRuntime().availableProcessors());
            CommandRunner.Result res = make(tree, clang, btf, jobs, log);
            Path object = tree.resolve("tools/sched_ext/build/obj/sched_ext").resolve(NAME + ".o");
            if (res.exitCode() != 0 || !Files.isRegularFile(object)) {
                throw new KernelException(NAME + " failed to build (make exit " + res.exitCode() + "); last lines:\n" + res.tailText() + "\nfull log: " + log);
            }
            Path soDir = work.resolve("libbpf-shared");
            Files.createDirectories(soDir);
            res = CommandRunner.run(List.of("make", "-C", "tools/lib/bpf", "-j" + jobs, "OUTPUT=" + soDir.toAbsolutePath() + "/"),
                    tree, Map.of(), log, null);
            Path built;
            try (Stream<Path> s = Files.list(soDir)) {
                built = s.filter(f -> f.getFileName().toString().matches("libbpf\\.so\\.1\\.\\d+\\.\\d+")).findFirst().orElse(null);
            }
            if (res.exitCode() != 0 || built == null) {
                throw new KernelException("the tree's libbpf failed to build shared (make exit " + res.exitCode() + "); last lines:\n"
                        + res.tailText() + "\nfull log: " + log);
            }
            copyAtomically(object, parts.resolve(NAME + ".o"));
            copyAtomically(built, parts.resolve(LIBBPF_SONAME));
        } finally {
            deleteTree(work);
        }
    }

    private static void copyAtomically(Path from, Path to) throws IOException {
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Copies the fixture's sources into a tree's {@code tools/sched_ext} (used by the full kernel build too). */
    static void installSources(Path schedExtDir) throws IOException {
        for (String s : SOURCES) {
            try (InputStream in = FixtureScheduler.class.getResourceAsStream(RESOURCES + s)) {
                if (in == null) throw new IllegalStateException("resource " + RESOURCES + s + " missing from the ktstr-vmm jar");
                Files.copy(in, schedExtDir.resolve(s), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * {@code make -C tools/sched_ext} for the fixture only: {@code c-sched-targets} overridden so a failure here
     * never touches the four example schedulers' build products.
     */
    static CommandRunner.Result make(Path tree, String clang, Path btf, int jobs, Path log) throws IOException {
        installSources(tree.resolve("tools/sched_ext"));
        return CommandRunner.run(List.of("make", "-C", "tools/sched_ext", "-j" + jobs, "CLANG=" + clang,
                "VMLINUX_BTF=" + btf, "c-sched-targets=" + NAME, NAME), tree, Map.of(), log, null);
    }

    static String sourcesCrc() {
        StringBuilder sb = new StringBuilder();
        for (String s : SOURCES) {
            try (InputStream in = FixtureScheduler.class.getResourceAsStream(RESOURCES + s)) {
                if (in == null) throw new IllegalStateException("resource " + RESOURCES + s + " missing from the ktstr-vmm jar");
                sb.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Hashes.crc32Hex(sb.toString());
    }

    /** Tools the standalone build runs or compiles against, each named as the user would install it. */
    static List<String> missingPrerequisites() {
        List<String> missing = new ArrayList<>();
        if (KernelBuilder.CLANGS.stream().noneMatch(KernelBuilder::onPath)) missing.add("clang (tried " + String.join(", ", KernelBuilder.CLANGS) + ")");
        for (String t : List.of("make", "gcc", "tar", "xz")) if (!KernelBuilder.onPath(t)) missing.add(t);
        if (!Files.isRegularFile(Path.of("/usr/include/gelf.h"))) missing.add("libelf headers (/usr/include/gelf.h, package libelf-dev)");
        if (!Files.isRegularFile(Path.of("/usr/include/zlib.h"))) missing.add("zlib headers (/usr/include/zlib.h, package zlib1g-dev)");
        return missing;
    }

    /** The tarball the entry was built from (metadata.json source.origin), else /usr/src's linux-source-X.Y. */
    static Path sourceTarball(Path entryDir) throws IOException {
        Path md = entryDir.resolve("metadata.json");
        Optional<String> version = Optional.empty();
        if (Files.isRegularFile(md)) {
            String json = Files.readString(md);
            Matcher m = ORIGIN.matcher(json);
            if (m.find() && m.group(1).matches(".*\\.tar(\\.xz|\\.gz|\\.bz2)?$") && Files.isRegularFile(Path.of(m.group(1)))) {
                return Path.of(m.group(1));
            }
            Matcher v = Pattern.compile("\"version\"\\s*:\\s*\"(\\d+\\.\\d+)").matcher(json);
            if (v.find()) version = Optional.of(v.group(1));
        }
        if (version.isPresent()) {
            Path p = Path.of("/usr/src/linux-source-" + version.get() + ".tar.xz");
            if (Files.isRegularFile(p)) return p;
        }
        throw new KernelException("no kernel source tarball for " + entryDir + " (metadata.json source.origin is not a local tarball and "
                + "/usr/src has no linux-source-" + version.orElse("X.Y") + ".tar.xz): install linux-source-" + version.orElse("6.12")
                + " (ops/setup.sh), or rebuild the kernel with `ktstr kernel build`, which builds " + NAME + " itself");
    }

    /** Unpacks only {@link #TREE_PARTS} (one pass through the .xz, about 15 s); returns the tree's top directory. */
    static Path extract(Path tarball, Path work, Path log) throws IOException {
        String top;
        Process p = new ProcessBuilder("tar", "-tf", tarball.toString()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = r.readLine();
            if (first == null) throw new KernelException(tarball + " lists no files");
            top = first.contains("/") ? first.substring(0, first.indexOf('/')) : first;
        } finally {
            p.destroy();
        }
        List<String> cmd = new ArrayList<>(List.of("tar", "-xf", tarball.toString(), "-C", work.toString()));
        TREE_PARTS.forEach(part -> cmd.add(top + "/" + part));
        CommandRunner.Result res = CommandRunner.run(cmd, work, Map.of(), log, null);
        Path tree = work.resolve(top);
        if (res.exitCode() != 0 || !Files.isRegularFile(tree.resolve("tools/sched_ext/Makefile"))) {
            throw new KernelException("extracting tools/ from " + tarball + " failed (tar exit " + res.exitCode()
                    + "; is it a kernel tree with tools/sched_ext, 6.12 or newer?):\n" + res.tailText());
        }
        return tree;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
