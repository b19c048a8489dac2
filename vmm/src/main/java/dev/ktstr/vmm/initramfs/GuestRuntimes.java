package dev.ktstr.vmm.initramfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Produces (or reuses from {@code <cacheRoot>/jre/}) the jlinked guest JRE with a CDS archive.
 *
 * <p>JDK choice: {@code $KTSTR_GUEST_JDK}, else Temurin 25 at its Debian path, else the newest JDK under
 * /usr/lib/jvm that can link, else the running JDK. Newer JDKs start faster in the guest (vm-boot-probe
 * §5: 1.1 s vs 1.5 s for 17 under TCG); all bytecode targets 17 so any of them runs it.
 */
public final class GuestRuntimes {
    private GuestRuntimes() {}

    /**
     * Modules of the guest agent's closure (jdeps over the agent, Jackson, JNA, HdrHistogram). jdeps also
     * names java.desktop and java.sql, which Jackson and JNA only touch behind class-presence checks;
     * leaving them out saves ~15 MB per initramfs (verified by GuestRuntimesTest's Jackson+JNA+HdrHistogram run).
     */
    public static final List<String> DEFAULT_MODULES = List.of("java.base", "java.logging", "java.management",
            "jdk.management", "jdk.unsupported");
    public static final Path PREFERRED_JDK = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final String LAYOUT_VERSION = "jre-v2";
    /** The runtime's default CDS archive, relative to its root. */
    static final String CDS_ARCHIVE = "lib/server/classes.jsa";
    private static final String COMPLETE_MARKER = ".ktstr-complete";

    public static GuestRuntime obtain(Path cacheRoot) throws IOException {
        return obtain(cacheRoot, findJdk(), DEFAULT_MODULES);
    }

    public static GuestRuntime obtain(Path cacheRoot, Path jdkHome, List<String> modules) throws IOException {
        Path jdk = jdkHome.toRealPath();
        String version = jdkVersion(jdk);
        int feature = featureVersion(version);
        List<String> mods = modules.stream().sorted().distinct().toList();
        List<String> options = List.of("--strip-debug", "--no-man-pages", "--no-header-files",
                // JDK 21 renamed the levels: zip-0 there, 0 on 17 (both: store without compression,
                // the fastest to start and the best for a compressed initramfs if one is used)
                feature >= 21 ? "--compress=zip-0" : "--compress=0");
        String key = feature + "-" + InitramfsBuilder.hex(InitramfsBuilder.sha256().digest(
                String.join("\0", LAYOUT_VERSION, jdk.toString(), version, String.join(",", mods), String.join(" ", options))
                        .getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        Path dir = cacheRoot.resolve("jre").resolve(key);
        GuestRuntime rt = new GuestRuntime(dir, jdk, version, mods, key);
        if (Files.isRegularFile(dir.resolve(COMPLETE_MARKER))) return rt;

        Files.createDirectories(dir.getParent());
        Path tmp = dir.resolveSibling(".tmp-" + key + "-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            List<String> cmd = new ArrayList<>(List.of(jdk.resolve("bin/jlink").toString(), "--add-modules", String.join(",", mods)));
            cmd.addAll(options);
            cmd.addAll(List.of("--output", tmp.toString()));
            run(cmd, "jlink");
            // jlink images have no CDS archive; without it the guest JVM starts ~0.7 s slower under TCG.
            run(List.of(tmp.resolve("bin/java").toString(), "-Xshare:dump"), "CDS archive dump");
            stripNative(tmp.resolve("lib/server/libjvm.so"));
            if (!Files.isRegularFile(tmp.resolve(CDS_ARCHIVE))) {
                throw new IOException("java -Xshare:dump in " + tmp + " did not write lib/server/classes.jsa");
            }
            Files.writeString(tmp.resolve(COMPLETE_MARKER), String.join("\n", jdk.toString(), version, String.join(",", mods)) + "\n");
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // another process finished the same runtime first; use theirs
                if (!Files.isRegularFile(dir.resolve(COMPLETE_MARKER))) throw raced;
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + tmp + " to " + dir + " atomically", e);
            }
            return rt;
        } finally {
            deleteTree(tmp);
        }
    }

    /** $KTSTR_GUEST_JDK, else Temurin 25, else the newest linkable JDK in /usr/lib/jvm, else java.home. */
    public static Path findJdk() throws IOException {
        String env = System.getenv("KTSTR_GUEST_JDK");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!canLink(p)) {
                throw new IOException("KTSTR_GUEST_JDK=" + env + " is not a JDK with bin/jlink and jmods (or JDK 24+); point it at a JDK home");
            }
            return p;
        }
        if (canLink(PREFERRED_JDK)) return PREFERRED_JDK;
        List<Path> found = new ArrayList<>();
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.filter(GuestRuntimes::canLink).forEach(found::add);
            }
        }
        Optional<Path> newest = found.stream().max(Comparator.comparingInt(p -> {
            try {
                return featureVersion(jdkVersion(p));
            } catch (IOException e) {
                return 0;
            }
        }));
        if (newest.isPresent()) return newest.get();
        Path home = Path.of(System.getProperty("java.home"));
        if (canLink(home)) return home;
        throw new IOException("no JDK with jlink found (looked at $KTSTR_GUEST_JDK, " + PREFERRED_JDK + ", /usr/lib/jvm/*, "
                + home + "); install a JDK (e.g. temurin-25-jdk) or set KTSTR_GUEST_JDK");
    }

    private static boolean canLink(Path jdk) {
        if (!Files.isExecutable(jdk.resolve("bin/jlink")) || !Files.isRegularFile(jdk.resolve("release"))) return false;
        try {
            // Before JDK 24 (JEP 493) jlink needs the jmods directory, which Debian ships separately.
            return Files.isDirectory(jdk.resolve("jmods")) || featureVersion(jdkVersion(jdk)) >= 24;
        } catch (IOException e) {
            return false;
        }
    }

    static String jdkVersion(Path jdk) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(jdk.resolve("release"))) {
            p.load(in);
        }
        String v = p.getProperty("JAVA_RUNTIME_VERSION", p.getProperty("JAVA_VERSION"));
        if (v == null) throw new IOException(jdk.resolve("release") + " has no JAVA_VERSION");
        return v.replace("\"", "");
    }

    /**
     * Drops libjvm's symbol table (5 of its 29 MB): the guest unpacks every byte of the initramfs
     * under emulation, and a crash in the guest JVM is diagnosed on the host anyway. Without binutils
     * the library stays as it is.
     */
    private static void stripNative(Path lib) throws IOException {
        Path strip = Path.of("/usr/bin/strip");
        if (!Files.isExecutable(strip) || !Files.isRegularFile(lib)) return;
        run(List.of(strip.toString(), "--strip-unneeded", lib.toString()), "strip " + lib.getFileName());
    }

    static int featureVersion(String version) {
        String head = version.split("[.+\\-]")[0];
        try {
            return Integer.parseInt(head);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void run(List<String> cmd, String what) throws IOException {
        run(cmd, null, what);
    }

    /** Runs {@code cmd} (in {@code cwd} when given, stdin from /dev/null), failing with its output. */
    static void run(List<String> cmd, Path cwd, String what) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (cwd != null) pb.directory(cwd.toFile());
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish in 10 minutes: " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed (exit " + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + out.strip());
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }
}
