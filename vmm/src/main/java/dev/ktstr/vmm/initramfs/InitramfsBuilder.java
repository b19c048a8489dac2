package dev.ktstr.vmm.initramfs;

import dev.ktstr.host.KtstrDirs;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import dev.ktstr.vmm.elf.ElfFile;
import dev.ktstr.vmm.elf.SharedLibraryResolver;
import dev.ktstr.vmm.elf.SharedLibraryResolver.ElfObject;
import dev.ktstr.vmm.elf.SharedLibraryResolver.Library;

/**
 * Builds guest initramfs files: a content-addressed cached base plus a small per-run suffix.
 *
 * <p>The base (init, busybox, JRE, jars, include files and the shared libraries of every ELF among
 * them) is stored once per content key under {@code <cacheRoot>/initramfs/}. Each build copies it to
 * a fresh file and appends the per-run files as a second cpio archive, which the kernel unpacks over
 * the first (it accepts concatenated archives; QEMU takes a single {@code -initrd} file).
 */
public final class InitramfsBuilder {
    /** Bumped when the archive layout changes so old cached bases are not reused. */
    private static final String LAYOUT_VERSION = "ktstr-initramfs-v1";
    /** Cached bases kept; older ones (by last use) are deleted after a new base is written. */
    static final int KEEP_BASES = 8;
    /** The static busybox Debian's busybox-static installs; override with $KTSTR_BUSYBOX. */
    public static final Path DEFAULT_BUSYBOX = Path.of("/bin/busybox");

    private final Path cacheRoot;
    private final InitramfsCompression compression;
    private final Path busybox;
    private final SharedLibraryResolver resolverOverride;
    private volatile DigestMemo digestMemo;

    public InitramfsBuilder(Path cacheRoot) {
        this(cacheRoot, InitramfsCompression.NONE, defaultBusybox(), null);
    }

    private InitramfsBuilder(Path cacheRoot, InitramfsCompression compression, Path busybox, SharedLibraryResolver resolver) {
        this.cacheRoot = Objects.requireNonNull(cacheRoot, "cacheRoot");
        this.compression = Objects.requireNonNull(compression, "compression");
        this.busybox = Objects.requireNonNull(busybox, "busybox");
        this.resolverOverride = resolver;
    }

    public static InitramfsBuilder defaultCache() {
        return new InitramfsBuilder(KtstrDirs.cacheRoot());
    }

    public InitramfsBuilder withCompression(InitramfsCompression c) {
        return new InitramfsBuilder(cacheRoot, c, busybox, resolverOverride);
    }

    public InitramfsBuilder withBusybox(Path staticBusybox) {
        return new InitramfsBuilder(cacheRoot, compression, staticBusybox, resolverOverride);
    }

    /** For tests: a library search configuration other than this host's. */
    public InitramfsBuilder withResolver(SharedLibraryResolver resolver) {
        return new InitramfsBuilder(cacheRoot, compression, busybox, resolver);
    }

    public Path cacheDir() {
        return cacheRoot.resolve("initramfs");
    }

    private static Path defaultBusybox() {
        String env = System.getenv("KTSTR_BUSYBOX");
        return env != null && !env.isBlank() ? Path.of(env) : DEFAULT_BUSYBOX;
    }

    /** Returns a fresh file (caller deletes it) = cached base + per-run suffix, in {@code <cacheRoot>/initramfs/run/}. */
    public BuiltInitramfs build(InitramfsSpec spec) throws IOException {
        Path runDir = cacheDir().resolve("run");
        Files.createDirectories(runDir);
        removeOrphanedRunFiles(runDir);
        Path out = runDir.resolve("initramfs-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + compression.fileSuffix());
        return build(spec, out);
    }

    /** As {@link #build(InitramfsSpec)} but writes to {@code out} (replaced if present). */
    public BuiltInitramfs build(InitramfsSpec spec, Path out) throws IOException {
        long t0 = System.nanoTime();
        List<String> warnings = new ArrayList<>();
        GuestTree tree = baseTree(spec, warnings);
        String key = key(tree);
        Path dir = cacheDir();
        Files.createDirectories(dir);
        Path base = dir.resolve("base-" + key + compression.fileSuffix());
        boolean hit = Files.isRegularFile(base);
        if (hit) {
            try {
                Files.setLastModifiedTime(base, FileTime.fromMillis(System.currentTimeMillis())); // LRU stamp for pruning
            } catch (NoSuchFileException pruned) {
                hit = false;
            }
        }
        if (!hit) {
            writeBase(tree, base);
            pruneBases(dir, base);
        }
        byte[] suffix = suffix(spec.runFiles());
        long baseBytes;
        try {
            baseBytes = concatenate(base, suffix, out);
        } catch (NoSuchFileException e) {
            if (Files.exists(base)) throw e; // the output directory is missing, not the base
            // another builder pruned the base between our check and the copy: write it again
            writeBase(tree, base);
            hit = false;
            baseBytes = concatenate(base, suffix, out);
        }
        return new BuiltInitramfs(out, baseBytes, suffix.length, hit, Duration.ofNanos(System.nanoTime() - t0), key, warnings);
    }

    /** out = base + suffix; the copy goes through sendfile/copy_file_range rather than the Java heap. */
    private static long concatenate(Path base, byte[] suffix, Path out) throws IOException {
        boolean ok = false;
        try (FileChannel src = FileChannel.open(base, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long baseBytes = src.size();
            long pos = 0;
            while (pos < baseBytes) pos += src.transferTo(pos, baseBytes - pos, dst);
            dst.write(java.nio.ByteBuffer.wrap(suffix), baseBytes);
            ok = true;
            return baseBytes;
        } finally {
            if (!ok) Files.deleteIfExists(out);
        }
    }

    // ---------------------------------------------------------------- base content

    GuestTree baseTree(InitramfsSpec spec, List<String> warnings) throws IOException {
        GuestTree tree = new GuestTree();
        for (String d : List.of("/dev", "/proc", "/sys", "/run", "/root", "/etc", "/bin", "/sbin", "/ktstr")) {
            tree.put(d, new GuestNode.Dir(0755));
        }
        tree.put("/tmp", new GuestNode.Dir(01777));
        // The kernel opens /dev/console for init's stdio before anything mounts devtmpfs.
        tree.put("/dev/console", new GuestNode.CharDevice(0600, 5, 1));
        tree.put("/init", new GuestNode.Bytes(spec.init(), 0755, "/init (caller-supplied)"));

        SharedLibraryResolver resolver = resolverOverride != null ? resolverOverride : SharedLibraryResolver.host();
        LibraryPlacer libs = new LibraryPlacer(tree);
        if (spec.busybox()) addBusybox(tree, resolver, libs);
        if (spec.jre().isPresent()) addRuntime(tree, spec.jre().get(), resolver, libs, spec.includes().stream().anyMatch(i -> i.guestPath().equals(GuestArchives.GUEST_PATH)));
        for (Path jar : spec.jars()) {
            if (!Files.isRegularFile(jar)) {
                throw new NoSuchFileException(jar.toString(), null, "jar for the guest does not exist or is not a regular file");
            }
            tree.put(InitramfsSpec.JAR_DIR + "/" + jar.getFileName(), hostFile(jar, "jar", null));
        }
        for (IncludeSpec inc : spec.includes()) addInclude(tree, inc, resolver, libs, warnings);
        libs.placeAll();
        return tree;
    }

    private void addBusybox(GuestTree tree, SharedLibraryResolver resolver, LibraryPlacer libs) throws IOException {
        if (!Files.isRegularFile(busybox)) {
            throw new NoSuchFileException(busybox.toString(), null,
                    "busybox not found; install Debian's busybox-static (ops/setup.sh) or set KTSTR_BUSYBOX to a static busybox");
        }
        tree.put("/bin/busybox", hostFile(busybox, "busybox", null));
        libs.addGroup(resolver.closure(List.of(new ElfObject(busybox, "/bin/busybox"))));
        for (String applet : cachedBusyboxApplets()) {
            // --list-full gives e.g. "bin/sh", "sbin/ip", "usr/bin/env"; /usr/bin and /usr/sbin fold into /bin and /sbin.
            String rel = applet.startsWith("usr/") ? applet.substring(4) : applet;
            int slash = rel.indexOf('/');
            String dir = slash > 0 ? rel.substring(0, slash) : "bin";
            String name = rel.substring(slash + 1);
            if (name.isEmpty() || name.contains("/") || name.equals("busybox") || !(dir.equals("bin") || dir.equals("sbin"))) continue;
            String path = "/" + dir + "/" + name;
            if (!tree.contains(path)) tree.put(path, new GuestNode.Symlink("/bin/busybox"));
        }
    }

    /** The applet list depends only on the busybox binary; spawning it costs 0.1-0.3 s on a busy host, so it is cached by digest. */
    private List<String> cachedBusyboxApplets() throws IOException {
        Path list = cacheDir().resolve("busybox-applets-" + memo().digest(busybox).substring(0, 16) + ".txt");
        if (Files.isRegularFile(list)) return Files.readAllLines(list, StandardCharsets.UTF_8);
        List<String> applets = busyboxApplets(busybox);
        Files.createDirectories(list.getParent());
        Path tmp = list.resolveSibling(list.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.write(tmp, applets, StandardCharsets.UTF_8);
        Files.move(tmp, list, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return applets;
    }

    static List<String> busyboxApplets(Path busybox) throws IOException {
        Process p = new ProcessBuilder(busybox.toString(), "--list-full").redirectErrorStream(true).start();
        String text;
        try (InputStream in = p.getInputStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(busybox + " --list-full did not finish in 10 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listing busybox applets", e);
        }
        if (p.exitValue() != 0) throw new IOException(busybox + " --list-full failed (exit " + p.exitValue() + "): " + text.strip());
        return text.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * @param withAotCache the initramfs carries the AOT cache, which holds every JDK class the guest
     *                     JVMs use: the runtime's own CDS archive (14 MB) stays out of the image
     */
    private void addRuntime(GuestTree tree, GuestRuntime rt, SharedLibraryResolver resolver, LibraryPlacer libs, boolean withAotCache)
            throws IOException {
        Path root = rt.dir();
        if (!Files.isExecutable(root.resolve("bin/java"))) {
            throw new NoSuchFileException(root.resolve("bin/java").toString(), null, "guest runtime is incomplete; delete " + root + " and rebuild it");
        }
        List<ElfObject> elves = new ArrayList<>();
        // Walking without following links only reaches regular files through real directories, so their
        // canonical path is the real root plus the relative path (saves a realpath per file).
        Path realRoot = root.toRealPath();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                String guest = GuestRuntime.GUEST_DIR + (p.equals(root) ? "" : "/" + root.relativize(p).toString());
                if (p.equals(root)) {
                    tree.put(guest, new GuestNode.Dir(0755));
                } else if (Files.isSymbolicLink(p)) {
                    tree.put(guest, new GuestNode.Symlink(Files.readSymbolicLink(p).toString()));
                } else if (Files.isDirectory(p)) {
                    tree.put(guest, new GuestNode.Dir(0755));
                } else if (Files.isRegularFile(p)) {
                    String rel = root.relativize(p).toString();
                    if (withAotCache && rel.equals(GuestRuntimes.CDS_ARCHIVE)) continue;
                    PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
                    tree.put(guest, new GuestNode.HostFile(p, realRoot.resolve(rel), perm(a), a.lastModifiedTime().to(TimeUnit.SECONDS),
                            a.size(), "jre:" + rt.cacheKey() + ":" + rel + ":" + a.size() + ":" + a.lastModifiedTime().toMillis(), "guest runtime"));
                    // JDK images keep native code in bin/, lib/*.so and lib/ helpers (jspawnhelper, jexec)
                    boolean maybeElf = rel.startsWith("bin/") || rel.endsWith(".so") || (rel.startsWith("lib/") && (a.permissions().contains(PosixFilePermission.OWNER_EXECUTE)));
                    if (maybeElf && ElfFile.isElf(p)) elves.add(new ElfObject(p, guest));
                }
            }
        }
        libs.addGroup(resolver.closure(elves));
    }

    private void addInclude(GuestTree tree, IncludeSpec inc, SharedLibraryResolver resolver, LibraryPlacer libs,
                            List<String> warnings) throws IOException {
        Path host = inc.hostPath();
        if (!Files.exists(host)) {
            throw new NoSuchFileException(host.toString(), null, "include file does not exist; check the -i path");
        }
        if (Files.isRegularFile(host)) {
            addIncludedFile(tree, host, inc.guestPath(), resolver, libs);
        } else if (Files.isDirectory(host)) {
            tree.put(inc.guestPath(), new GuestNode.Dir(0755));
            // Symlinks are followed (the guest gets the content), as ktstr does (spec §1.6).
            try (Stream<Path> walk = Files.walk(host, FileVisitOption.FOLLOW_LINKS)) {
                for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                    if (p.equals(host)) continue;
                    String guest = inc.guestPath() + "/" + host.relativize(p).toString().replace('\\', '/');
                    if (Files.isDirectory(p)) {
                        tree.put(guest, new GuestNode.Dir(0755));
                    } else if (Files.isRegularFile(p)) {
                        addIncludedFile(tree, p, guest, resolver, libs);
                    } else {
                        warnings.add("skipped " + p + " (included from " + host + "): not a regular file or directory");
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        } else {
            throw new IOException("include path " + host + " is neither a regular file nor a directory (device, socket or fifo); include a file or directory");
        }
    }

    private void addIncludedFile(GuestTree tree, Path file, String guest, SharedLibraryResolver resolver, LibraryPlacer libs) throws IOException {
        tree.put(guest, hostFile(file, "include file", null));
        if (ElfFile.isElf(file)) {
            libs.addGroup(resolver.closure(List.of(new ElfObject(file, guest))));
        }
    }

    private static GuestNode.HostFile hostFile(Path p, String origin, String identity) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
        return new GuestNode.HostFile(p, p.toRealPath(), perm(a), a.lastModifiedTime().to(TimeUnit.SECONDS), a.size(), identity, origin);
    }

    private static int perm(PosixFileAttributes a) {
        int m = 0;
        for (PosixFilePermission p : a.permissions()) m |= 1 << (8 - p.ordinal());
        return m;
    }

    /**
     * Places libraries at their guest paths; a file already placed elsewhere becomes a symlink to the
     * first copy, so shared libraries reached through two paths are stored once.
     */
    private static final class LibraryPlacer {
        private final GuestTree tree;
        private final List<Library> pending = new ArrayList<>();

        LibraryPlacer(GuestTree tree) {
            this.tree = tree;
        }

        void addGroup(List<Library> libs) {
            pending.addAll(libs);
        }

        void placeAll() throws IOException {
            Map<Path, String> firstByFile = new HashMap<>();
            for (Map.Entry<String, GuestNode> e : tree.entries().entrySet()) {
                if (e.getValue() instanceof GuestNode.HostFile f) firstByFile.putIfAbsent(f.canonical(), "/" + e.getKey());
            }
            for (Library lib : pending) {
                Path canonical = lib.hostPath().toRealPath();
                String first = firstByFile.get(canonical);
                GuestNode existing = tree.get(lib.guestPath());
                if (existing instanceof GuestNode.HostFile f && f.canonical().equals(canonical)) {
                    // already there (e.g. a JRE library found through $ORIGIN)
                } else if (first != null && !first.equals(lib.guestPath())) {
                    tree.put(lib.guestPath(), new GuestNode.Symlink(first));
                } else {
                    tree.put(lib.guestPath(), hostFile(lib.hostPath(), "shared library " + lib.soname() + " (needed by " + lib.neededBy() + ")", null));
                    firstByFile.put(canonical, lib.guestPath());
                }
                for (String link : lib.guestLinks()) {
                    if (!tree.contains(link)) tree.put(link, new GuestNode.Symlink(lib.guestPath()));
                }
            }
        }
    }

    // ---------------------------------------------------------------- key, write, suffix

    String key(GuestTree tree) throws IOException {
        MessageDigest md = sha256();
        update(md, LAYOUT_VERSION + "\0" + compression + "\0");
        for (Map.Entry<String, GuestNode> e : tree.entries().entrySet()) {
            GuestNode n = e.getValue();
            String content;
            if (n instanceof GuestNode.HostFile f) {
                content = f.identity() != null ? f.identity() : fileDigest(f);
            } else if (n instanceof GuestNode.Bytes b) {
                content = hex(sha256().digest(b.data()));
            } else if (n instanceof GuestNode.Symlink s) {
                content = "->" + s.target();
            } else if (n instanceof GuestNode.CharDevice c) {
                content = "c" + c.major() + ":" + c.minor();
            } else {
                content = "dir";
            }
            update(md, e.getKey() + "\0" + n.getClass().getSimpleName() + "\0" + Integer.toOctalString(n.perm()) + "\0"
                    + n.mtime() + "\0" + content + "\n");
        }
        if (digestMemo != null) digestMemo.save();
        return hex(md.digest()).substring(0, 32);
    }

    private String fileDigest(GuestNode.HostFile f) throws IOException {
        return memo().digest(f.source());
    }

    private DigestMemo memo() {
        DigestMemo memo = digestMemo;
        if (memo == null) digestMemo = memo = new DigestMemo(cacheDir().resolve("digests.tsv"));
        return memo;
    }

    private void writeBase(GuestTree tree, Path base) throws IOException {
        Path tmp = base.resolveSibling(base.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW), 1 << 20)) {
                CountingStream counted = new CountingStream(file);
                switch (compression) {
                    case NONE -> CpioWriter.write(tree, counted, true);
                    case GZIP -> {
                        GZIPOutputStream gz = new GZIPOutputStream(counted, 1 << 16);
                        CpioWriter.write(tree, gz, true);
                        gz.finish(); // not close(): that would close the file before padding
                        padTo512(counted);
                    }
                    case LZ4_LEGACY -> {
                        Lz4LegacyOutputStream lz = new Lz4LegacyOutputStream(counted);
                        CpioWriter.write(tree, lz, true);
                        lz.finish();
                        padTo512(counted);
                    }
                }
            }
            // Concurrent builders of the same key write identical bytes; whichever rename lands last wins.
            Files.move(tmp, base, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The next archive must start 4-byte aligned for the kernel to find it; it skips zero padding between archives. */
    private static void padTo512(CountingStream out) throws IOException {
        out.write(new byte[(int) ((512 - out.count % 512) % 512)]);
    }

    static byte[] suffix(Map<String, byte[]> runFiles) throws IOException {
        GuestTree t = new GuestTree();
        runFiles.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            byte[] c = e.getValue();
            boolean script = c.length >= 2 && c[0] == '#' && c[1] == '!';
            t.put(e.getKey(), new GuestNode.Bytes(c, script ? 0755 : 0644, "per-run file " + e.getKey()));
        });
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        CpioWriter.write(t, bos, false);
        return bos.toByteArray();
    }

    private static void removeOrphanedRunFiles(Path runDir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(runDir, "initramfs-*")) {
            for (Path p : ds) {
                String[] parts = p.getFileName().toString().split("-");
                if (parts.length < 3) continue;
                try {
                    long pid = Long.parseLong(parts[1]);
                    if (ProcessHandle.of(pid).isEmpty()) Files.deleteIfExists(p); // its owner died without cleaning up
                } catch (NumberFormatException | IOException ignored) {
                    // not ours or already gone
                }
            }
        } catch (IOException ignored) {
            // best effort; the build itself reports real I/O problems
        }
    }

    private static void pruneBases(Path dir, Path keep) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> bases = s.filter(p -> p.getFileName().toString().startsWith("base-") && !p.getFileName().toString().contains(".tmp-"))
                    .sorted(Comparator.comparing(InitramfsBuilder::mtime).reversed()).toList();
            for (int i = KEEP_BASES; i < bases.size(); i++) {
                if (!bases.get(i).equals(keep)) Files.deleteIfExists(bases.get(i)); // readers holding it open keep their copy
            }
        } catch (IOException ignored) {
            // pruning is housekeeping; never fail a build over it
        }
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
