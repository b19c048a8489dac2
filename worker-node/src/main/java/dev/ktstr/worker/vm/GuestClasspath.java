package dev.ktstr.worker.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Packs the classes the guest agent needs into one slim jar, taken from wherever this JVM loaded
 * them (a shaded {@code ktstr.jar}, Maven's per-module jars, or {@code target/classes}
 * directories). Only the guest's packages are copied, so the guest never sees Pekko or Scala and
 * the initramfs stays small. Cached by the identity (path, size, mtime) of every source.
 */
public final class GuestClasspath {

    /** One class per source the guest needs; their code sources are the inputs. */
    static final List<String> ANCHORS = List.of(
            "dev.ktstr.guest.agent.AgentMain",
            "dev.ktstr.scenario.Ctx",
            "dev.ktstr.protocol.frame.Frame",
            "com.fasterxml.jackson.databind.ObjectMapper",
            "com.fasterxml.jackson.core.JsonFactory",
            "com.fasterxml.jackson.annotation.JsonInclude",
            "org.HdrHistogram.Histogram",
            "com.sun.jna.Native");

    /** Entry prefixes copied into the guest jar. */
    static final List<String> PREFIXES = List.of(
            "dev/ktstr/guest/", "dev/ktstr/scenario/", "dev/ktstr/protocol/",
            "com/fasterxml/jackson/", "org/HdrHistogram/", "com/sun/jna/");

    private GuestClasspath() {}

    /** The guest jar in {@code cacheDir}, built on first use. */
    public static synchronized Path guestJar(Path cacheDir) throws IOException {
        List<Path> sources = sources(GuestClasspath.class.getClassLoader());
        String key = key(sources);
        Path jar = cacheDir.resolve("guest-classpath").resolve("ktstr-guest-" + key + ".jar");
        if (Files.isRegularFile(jar)) return jar;
        Files.createDirectories(jar.getParent());
        Path tmp = Files.createTempFile(jar.getParent(), ".ktstr-guest-", ".tmp");
        try {
            write(sources, tmp);
            Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return jar;
    }

    static List<Path> sources(ClassLoader loader) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        for (String name : ANCHORS) {
            Class<?> c;
            try {
                c = Class.forName(name, false, loader);
            } catch (ClassNotFoundException e) {
                throw new IOException("the guest agent needs class " + name + " but it is not on this JVM's classpath;"
                        + " run ktstr from the built CLI (bin/ktstr) or add module ktstr-guest-agent to the test classpath", e);
            }
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) {
                throw new IOException("cannot tell where class " + name + " was loaded from");
            }
            try {
                out.add(Path.of(cs.getLocation().toURI()));
            } catch (URISyntaxException e) {
                throw new IOException("bad code source for " + name + ": " + cs.getLocation(), e);
            }
        }
        return new ArrayList<>(out);
    }

    static String key(List<Path> sources) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : PREFIXES) md.update(p.getBytes(StandardCharsets.UTF_8));
            for (Path src : sources) {
                md.update(src.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
                if (Files.isDirectory(src)) {
                    try (Stream<Path> files = Files.walk(src)) {
                        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                            md.update(src.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                            md.update(Long.toString(Files.size(f)).getBytes(StandardCharsets.UTF_8));
                            md.update(Long.toString(Files.getLastModifiedTime(f).toMillis()).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                } else {
                    md.update(Long.toString(Files.size(src)).getBytes(StandardCharsets.UTF_8));
                    md.update(Long.toString(Files.getLastModifiedTime(src).toMillis()).getBytes(StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(List<Path> sources, Path target) throws IOException {
        Set<String> seen = new LinkedHashSet<>();
        try (OutputStream os = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(os)) {
            for (Path src : sources) {
                if (Files.isDirectory(src)) {
                    try (Stream<Path> files = Files.walk(src)) {
                        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                            String name = src.relativize(f).toString().replace('\\', '/');
                            if (wanted(name) && seen.add(name)) {
                                try (InputStream in = Files.newInputStream(f)) {
                                    copy(jar, name, in);
                                }
                            }
                        }
                    }
                } else {
                    try (JarFile jf = new JarFile(src.toFile())) {
                        for (JarEntry e : (Iterable<JarEntry>) jf.stream()::iterator) {
                            if (!e.isDirectory() && wanted(e.getName()) && seen.add(e.getName())) {
                                try (InputStream in = jf.getInputStream(e)) {
                                    copy(jar, e.getName(), in);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static boolean wanted(String name) {
        for (String p : PREFIXES) {
            if (name.startsWith(p)) return true;
        }
        return false;
    }

    private static void copy(JarOutputStream jar, String name, InputStream in) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        in.transferTo(jar);
        jar.closeEntry();
    }
}
