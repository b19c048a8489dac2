package dev.ktstr.protocol.kernel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Kernel labels for multi-kernel runs (ktstr-spec §9.6): {@code kernel_[a-z0-9_]+}, used as the
 * last part of variant names and as keys of {@code KTSTR_KERNEL_LIST}. The one place labels are
 * made (kernel discovery) and checked (the gauntlet planner).
 */
public final class KernelLabel {

    public static final Pattern VALID = Pattern.compile("kernel_[a-z0-9_]+");
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+(\\.\\d+)?(-rc\\d+)?");
    private static final Pattern VERSION_PREFIX = Pattern.compile("^(\\d+\\.\\d+(?:\\.\\d+)?(?:-rc\\d+)?)(?:-|$)");
    private static final Pattern LOCAL_KEY = Pattern.compile("^local-([0-9a-f]{6,})-");

    private KernelLabel() {}

    /** {@code 6.14.2} → {@code kernel_6_14_2}; {@code 6.15-rc3} → {@code kernel_6_15_rc3}. */
    public static String forVersion(String version) {
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("'" + version + "' is not a kernel version (MAJOR.MINOR[.PATCH][-rcN])");
        }
        return "kernel_" + sanitize(version);
    }

    /**
     * A cache key labels as its version prefix ({@code 6.14.2-tarball-x86_64-kc1a2b3c4d} →
     * {@code kernel_6_14_2}); local entries as {@code kernel_local_{hash6}} or
     * {@code kernel_local_unknown}; anything else as its text up to the first {@code -tarball-} /
     * {@code -git-} part.
     */
    public static String forCacheKey(String key) {
        if (key.startsWith("local-unknown")) return "kernel_local_unknown";
        Matcher local = LOCAL_KEY.matcher(key);
        if (local.find()) return "kernel_local_" + local.group(1).substring(0, 6);
        Matcher v = VERSION_PREFIX.matcher(key);
        if (v.find()) return "kernel_" + sanitize(v.group(1));
        String head = key;
        for (String sep : new String[] {"-tarball-", "-git-"}) {
            int i = head.indexOf(sep);
            if (i > 0) head = head.substring(0, i);
        }
        return "kernel_" + nonEmpty(sanitize(head), key);
    }

    /** {@code https://github.com/sched-ext/linux.git} at {@code for-next} → {@code kernel_git_sched_ext_linux_for_next}. */
    public static String forGit(String url, String ref) {
        String u = url.trim().replaceAll("/+$", "").replaceAll("\\.git$", "");
        String[] parts = java.util.Arrays.stream(u.split("[/:]+")).filter(x -> !x.isEmpty()).toArray(String[]::new);
        String ownerRepo = parts.length >= 2 ? parts[parts.length - 2] + "_" + parts[parts.length - 1] : u;
        return "kernel_git_" + nonEmpty(sanitize(ownerRepo + "_" + ref), url);
    }

    /** {@code kernel_path_{basename}_{crc32(path) first 6 hex}}, plus {@code _dirty} for a dirty tree. */
    public static String forPath(Path path, boolean dirty) {
        path = path.toAbsolutePath().normalize(); // the same tree always gets the same label
        String text = path.toString();
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        String hex = String.format(Locale.ROOT, "%08x", crc.getValue()).substring(0, 6);
        Path base = path.getFileName();
        String name = base == null ? "root" : nonEmpty(sanitize(base.toString()), "root");
        return "kernel_path_" + name + "_" + hex + (dirty ? "_dirty" : "");
    }

    /** Lower-case; every run of characters outside {@code [a-z0-9]} becomes one {@code _}; no leading/trailing {@code _}. */
    public static String sanitize(String raw) {
        String s = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        return s.replaceAll("^_+|_+$", "");
    }

    public static void requireValid(String label) {
        if (label == null || !VALID.matcher(label).matches()) {
            throw new IllegalArgumentException("kernel label '" + label
                    + "' must match kernel_[a-z0-9_]+; build labels with KernelLabel.forVersion/forCacheKey/forGit/forPath");
        }
    }

    private static String nonEmpty(String sanitized, String original) {
        if (sanitized.isEmpty()) {
            throw new IllegalArgumentException("cannot derive a kernel label from '" + original + "': no letters or digits");
        }
        return sanitized;
    }
}
