package dev.ktstr.vmm.kernel;

import java.util.Locale;

/** Why a cache entry is unusable; lookups treat every corrupt entry as a miss. */
public enum CacheErrorKind {
    /** no metadata.json */
    MISSING,
    /** metadata.json exists but cannot be read (permissions, I/O) */
    UNREADABLE,
    /** written by another metadata schema version */
    SCHEMA_DRIFT,
    /** valid JSON, but required fields are missing or have the wrong type */
    MALFORMED,
    /** a stored file is shorter/longer than metadata.json recorded */
    TRUNCATED,
    /** metadata.json is not JSON */
    PARSE_ERROR,
    /** the boot image (or the vmlinux the metadata promises) is gone */
    IMAGE_MISSING,
    UNKNOWN;

    /** snake_case name used in JSON output and listings. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
