package dev.ktstr.vmm.initramfs;

import java.nio.file.Path;

/** The ktstr cache root: $KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr, else ~/.cache/ktstr. */
public final class CacheRoot {
    private CacheRoot() {}

    public static Path resolve() {
        String dir = System.getenv("KTSTR_CACHE_DIR");
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "ktstr");
        return Path.of(System.getProperty("user.home"), ".cache", "ktstr");
    }
}
