package dev.ktstr.vmm.initramfs;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/** The test JVM's class path as files, expanding surefire/failsafe's manifest-only booter jar. */
final class TestClasspath {
    private TestClasspath() {}

    static List<Path> entries() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String s : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(s);
            if (p.getFileName().toString().startsWith("surefirebooter") || p.getFileName().toString().startsWith("failsafe")) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    String cp = jar.getManifest().getMainAttributes().getValue("Class-Path");
                    for (String u : cp.trim().split("\\s+")) out.add(Path.of(URI.create(u)));
                }
            } else {
                out.add(p);
            }
        }
        return out.stream().filter(Files::exists).toList();
    }

    static String asString() throws IOException {
        return String.join(":", entries().stream().map(Path::toString).toList());
    }

    /** The jars RuntimeProbe needs (Jackson, JNA, HdrHistogram). */
    static List<Path> probeJars() throws IOException {
        return entries().stream().filter(p -> {
            String n = p.getFileName().toString();
            return n.endsWith(".jar") && (n.startsWith("jackson-") || n.startsWith("jna-") || n.startsWith("HdrHistogram"));
        }).toList();
    }

    /** The directory or jar holding RuntimeProbe. */
    static Path probeClasses() throws Exception {
        return Path.of(RuntimeProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
