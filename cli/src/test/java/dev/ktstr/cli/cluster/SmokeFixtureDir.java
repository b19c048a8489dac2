package dev.ktstr.cli.cluster;

import dev.ktstr.cli.cluster.fixture.ClusterSmokeFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The {@link ClusterSmokeFixture} package's classes alone under {@code parent/tests}, as a user's test class directory. */
final class SmokeFixtureDir {
    private SmokeFixtureDir() {}

    static Path in(Path parent) throws Exception {
        Path dest = parent.resolve("tests");
        if (Files.isDirectory(dest)) return dest;
        Path root = Path.of(ClusterSmokeFixture.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String pkg = ClusterSmokeFixture.class.getPackageName().replace('.', '/');
        Path into = Files.createDirectories(dest.resolve(pkg));
        try (Stream<Path> s = Files.list(root.resolve(pkg))) {
            for (Path f : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".class"))::iterator) Files.copy(f, into.resolve(f.getFileName()));
        }
        return dest;
    }
}
