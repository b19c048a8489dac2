package dev.ktstr.vmm.kernel;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * One directory of the kernel cache as found on disk. Exactly one of: valid (metadata present, current kconfig),
 * stale (valid but built with another kconfig fragment), corrupt ({@code errorKind} present).
 */
public record CacheEntry(String key, Path dir, Optional<KernelMetadata> metadata, Optional<CacheErrorKind> errorKind,
                         String problem, boolean stale, Instant sortTime) {

    public boolean corrupt() {
        return errorKind.isPresent();
    }

    /** Usable for implicit discovery: not corrupt and built with the current fragment. */
    public boolean usable() {
        return !corrupt() && !stale;
    }

    public Optional<String> version() {
        return metadata.map(KernelMetadata::version);
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** Listing tag: empty, {@code (stale kconfig)} or {@code (corrupt: kind: reason)}. */
    public String tag() {
        if (corrupt()) return "(corrupt: " + errorKind.get().id() + ": " + problem + ")";
        if (stale) return "(stale kconfig)";
        return "";
    }
}
