package dev.ktstr.vmm.elf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The directories listed in {@code /etc/ld.so.conf}, following {@code include} globs (as ldconfig does). */
public final class LdSoConf {
    private LdSoConf() {}

    public static List<Path> directories(Path conf) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        read(conf, out, new HashSet<>());
        return List.copyOf(out);
    }

    private static void read(Path conf, Set<Path> out, Set<Path> seen) throws IOException {
        if (!Files.isRegularFile(conf) || !seen.add(conf.toAbsolutePath().normalize())) return;
        for (String raw : Files.readAllLines(conf)) {
            String line = raw.replaceFirst("#.*", "").trim();
            if (line.isEmpty()) continue;
            if (line.startsWith("include ") || line.startsWith("include\t")) {
                for (String pattern : line.substring(8).trim().split("\\s+")) {
                    for (Path p : glob(conf.getParent(), pattern)) read(p, out, seen);
                }
            } else if (line.startsWith("hwcap ")) {
                // obsolete directive; ldconfig ignores it too
            } else {
                for (String dir : line.split("[\\s:,=]+")) {
                    if (dir.startsWith("/")) out.add(Path.of(dir));
                }
            }
        }
    }

    private static List<Path> glob(Path relativeTo, String pattern) throws IOException {
        Path p = Path.of(pattern);
        if (!p.isAbsolute()) p = relativeTo.resolve(p);
        Path dir = p.getParent();
        List<Path> result = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) return result;
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) if (m.matches(f.getFileName())) result.add(f);
        }
        result.sort(null);
        return result;
    }
}
