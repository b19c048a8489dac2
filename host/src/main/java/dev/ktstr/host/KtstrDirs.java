package dev.ktstr.host;

import java.nio.file.Path;

/** The ktstr cache root: {@code KTSTR_CACHE_DIR}, else {@code $XDG_CACHE_HOME/ktstr}, else {@code ~/.cache/ktstr}. */
public final class KtstrDirs {
    private KtstrDirs() {
    }

    public static Path cacheRoot() {
        String dir = System.getenv("KTSTR_CACHE_DIR");
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "ktstr");
        return Path.of(System.getProperty("user.home"), ".cache", "ktstr");
    }

    /** Default directory for run journals and results: {@code <cache root>/runs}. */
    public static Path runsDir() {
        return cacheRoot().resolve("runs");
    }
}
