package dev.ktstr.host;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * How an include argument ({@code ktstr shell -i}, {@code @KtstrTest(extraIncludeFiles)}) names a
 * host file (spec §1.6). One rule for the VMM, which packs the file, and the coordinator, which
 * ships it to workers.
 */
public final class IncludePaths {
    private IncludePaths() {
    }

    /**
     * A bare name (one component, not starting with '.') is looked up in {@code cwd}, then in each
     * {@code PATH} directory; anything else is a path that must exist.
     */
    public static Path resolve(String spec, Path cwd, String pathEnv) throws NoSuchFileException {
        if (spec.isEmpty()) throw new IllegalArgumentException("empty include path; give a file or directory to -i");
        boolean bare = !spec.contains("/") && !spec.startsWith(".");
        if (!bare) {
            Path p = cwd.resolve(spec).normalize();
            if (!Files.exists(p)) throw new NoSuchFileException(spec, null, "include path does not exist");
            return p;
        }
        Path local = cwd.resolve(spec);
        if (Files.exists(local)) return local;
        if (pathEnv != null) {
            for (String dir : pathEnv.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir).resolve(spec);
                if (Files.isRegularFile(p)) return p;
            }
        }
        throw new NoSuchFileException(spec, null, "include '" + spec + "' is neither in the current directory nor on PATH; give a path (./" + spec + " or /abs/" + spec + ")");
    }

    /** {@link #resolve(String, Path, String)} against this process's working directory and PATH. */
    public static Path resolve(String spec) throws NoSuchFileException {
        return resolve(spec, Path.of("").toAbsolutePath(), System.getenv("PATH"));
    }
}
