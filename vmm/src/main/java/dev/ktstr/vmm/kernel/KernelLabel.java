package dev.ktstr.vmm.kernel;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sanitized kernel labels ({@code kernel_[a-z0-9_]+}) used in variant names and in
 * {@code KTSTR_KERNEL_LIST}; they must be stable and safe as test-name components.
 */
public final class KernelLabel {
    private KernelLabel() {}

    private static final Pattern KEY_VERSION = Pattern.compile("^(\\d+\\.\\d+(?:\\.\\d+)?(?:-rc\\d+)?)-");
    private static final Pattern LOCAL_KEY = Pattern.compile("^local-([0-9a-f]{7,})-");

    public static String ofVersion(KernelVersion v) {
        return "kernel_" + sanitize(v.toString());
    }

    /** Cache key: its version prefix, or {@code kernel_local_{hash6}} / {@code kernel_local_unknown} for local trees. */
    public static String ofCacheKey(String key) {
        Matcher local = LOCAL_KEY.matcher(key);
        if (local.find()) return "kernel_local_" + local.group(1).substring(0, 6);
        if (key.startsWith("local-unknown-")) return "kernel_local_unknown";
        Matcher v = KEY_VERSION.matcher(key);
        if (v.find()) return "kernel_" + sanitize(v.group(1));
        return "kernel_" + sanitize(key);
    }

    /** {@code kernel_git_{owner}_{repo}_{ref}}: the last two URL path components name owner and repo. */
    public static String ofGit(String url, String ref) {
        String trimmed = url.replaceAll("/+$", "").replaceAll("\\.git$", "");
        String[] parts = trimmed.split("[/:]");
        String repo = parts.length > 0 ? parts[parts.length - 1] : "repo";
        String owner = parts.length > 1 ? parts[parts.length - 2] : "unknown";
        return "kernel_git_" + sanitize(owner) + "_" + sanitize(repo) + "_" + sanitize(ref);
    }

    /** {@code kernel_path_{basename}_{crc32(path) 6 hex}}, with {@code _dirty} for a modified git tree. */
    public static String ofPath(Path path, boolean dirty) {
        Path abs = path.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        String base = name == null ? "root" : name.toString();
        String label = "kernel_path_" + sanitize(base) + "_" + Hashes.crc32Hex(abs.toString()).substring(0, 6);
        return dirty ? label + "_dirty" : label;
    }

    /** Lower-case, every run of characters outside {@code [a-z0-9]} becomes one underscore. */
    static String sanitize(String s) {
        String out = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return out.isEmpty() ? "x" : out;
    }
}
