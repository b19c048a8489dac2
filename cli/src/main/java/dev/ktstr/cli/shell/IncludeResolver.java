package dev.ktstr.cli.shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves {@code -i} arguments the way the original tool does: a bare name (no '/', not starting
 * with '.') is looked up in the current directory, then on PATH; anything else is a path that must exist.
 */
final class IncludeResolver {
    private IncludeResolver() {}

    static List<Path> resolve(List<String> specs, Path cwd, Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        for (String s : specs) {
            out.add(resolveOne(s, cwd, env.getOrDefault("PATH", "")));
        }
        return out;
    }

    static Path resolveOne(String spec, Path cwd, String pathVar) {
        if (spec.isBlank()) throw new IllegalArgumentException("-i: empty include path");
        boolean bare = !spec.contains("/") && !spec.startsWith(".");
        if (bare) {
            Path here = cwd.resolve(spec);
            if (Files.exists(here)) return here.toAbsolutePath().normalize();
            for (String dir : pathVar.split(":")) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir).resolve(spec);
                if (Files.isRegularFile(p)) return p.toAbsolutePath().normalize();
            }
            throw new IllegalArgumentException("-i " + spec + ": not found in the current directory or on PATH; give a path to the file");
        }
        Path p = cwd.resolve(spec).toAbsolutePath().normalize();
        if (!Files.exists(p)) throw new IllegalArgumentException("-i " + spec + ": " + p + " does not exist");
        return p;
    }
}
