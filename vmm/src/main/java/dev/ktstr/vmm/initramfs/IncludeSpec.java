package dev.ktstr.vmm.initramfs;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One host file or directory (recursive) to place in the guest at {@code guestPath}.
 * {@code guestPath} must be absolute and free of {@code ..}; validation of the host side
 * happens at build time so the error can name the missing path.
 */
public record IncludeSpec(Path hostPath, String guestPath) {

    /** Guest directory that {@code -i} paths land in when no guest path is given. */
    public static final String DEFAULT_GUEST_DIR = "/include-files";

    public IncludeSpec {
        Objects.requireNonNull(hostPath, "hostPath");
        Objects.requireNonNull(guestPath, "guestPath");
        GuestPaths.requireValid(guestPath, "include guest path for " + hostPath);
    }

    /** The {@code -i PATH} form: lands at {@code /include-files/<basename>}. */
    public static IncludeSpec of(Path hostPath) {
        Path name = hostPath.toAbsolutePath().normalize().getFileName();
        if (name == null) {
            throw new IllegalArgumentException("include path " + hostPath + " has no file name (is it '/'?); name a file or sub-directory");
        }
        return new IncludeSpec(hostPath, DEFAULT_GUEST_DIR + "/" + name);
    }

    /**
     * Resolves a {@code -i} argument the way ktstr does (spec §1.6): a bare name (one component, not
     * starting with '.') is looked up in {@code cwd}, then in each {@code PATH} directory; anything else
     * is a path that must exist. The result lands at /include-files/&lt;basename&gt;.
     */
    public static IncludeSpec resolve(String spec, Path cwd, String pathEnv) throws NoSuchFileException {
        if (spec.isEmpty()) throw new IllegalArgumentException("empty include path; give a file or directory to -i");
        boolean bare = !spec.contains("/") && !spec.startsWith(".");
        if (!bare) {
            Path p = cwd.resolve(spec).normalize();
            if (!Files.exists(p)) throw new NoSuchFileException(spec, null, "include path does not exist");
            return of(p);
        }
        Path local = cwd.resolve(spec);
        if (Files.exists(local)) return of(local);
        if (pathEnv != null) {
            for (String dir : pathEnv.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir).resolve(spec);
                if (Files.isRegularFile(p)) return of(p);
            }
        }
        throw new NoSuchFileException(spec, null, "include '" + spec + "' is neither in the current directory nor on PATH; give a path (./" + spec + " or /abs/" + spec + ")");
    }

    /** {@link #resolve(String, Path, String)} against this process's working directory and PATH. */
    public static IncludeSpec resolve(String spec) throws NoSuchFileException {
        return resolve(spec, Path.of("").toAbsolutePath(), System.getenv("PATH"));
    }
}
