package dev.ktstr.vmm.initramfs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A finished initramfs file: a copy of the cached base followed by the per-run suffix.
 * The caller owns {@link #file} and deletes it after the VM exits.
 *
 * @param baseKey  content key of the base (hex SHA-256 prefix); equal keys mean identical bases
 * @param warnings things left out on purpose (e.g. sockets inside an included directory)
 */
public record BuiltInitramfs(Path file, long baseBytes, long suffixBytes, boolean baseCacheHit, Duration elapsed,
                             String baseKey, List<String> warnings) {
    public BuiltInitramfs {
        warnings = List.copyOf(warnings);
    }
}
