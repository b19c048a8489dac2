package dev.ktstr.coordinator.testrun;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Packs a class directory into a jar so it can travel as one content-addressed artifact. */
final class TestJars {
    private TestJars() {}

    /** Deterministic (sorted entries, fixed times): the same classes give the same sha256. */
    static Path pack(Path dir, Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os);
             Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                JarEntry e = new JarEntry(dir.relativize(f).toString().replace('\\', '/'));
                e.setLastModifiedTime(FileTime.fromMillis(0));
                out.putNextEntry(e);
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
