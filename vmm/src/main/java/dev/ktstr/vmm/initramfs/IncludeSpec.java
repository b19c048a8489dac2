package dev.ktstr.vmm.initramfs;

import dev.ktstr.host.IncludePaths;
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

    /** Resolves a {@code -i} argument by {@link IncludePaths#resolve(String, Path, String)}; it lands at /include-files/&lt;basename&gt;. */
    public static IncludeSpec resolve(String spec, Path cwd, String pathEnv) throws NoSuchFileException {
        return of(IncludePaths.resolve(spec, cwd, pathEnv));
    }

    /** {@link #resolve(String, Path, String)} against this process's working directory and PATH. */
    public static IncludeSpec resolve(String spec) throws NoSuchFileException {
        return of(IncludePaths.resolve(spec));
    }
}
