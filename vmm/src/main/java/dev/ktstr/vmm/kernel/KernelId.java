package dev.ktstr.vmm.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * What a user may name as a kernel ({@code --kernel X}, {@code KTSTR_KERNEL}). Parsing follows a fixed order:
 * {@code git+URL#REF}, then a version range {@code A..B}, then a path (contains {@code /} or starts with
 * {@code .} or {@code ~}), then a version, and anything else is a cache key.
 */
public sealed interface KernelId {

    record Git(String url, String ref) implements KernelId {
        @Override public String toString() { return "git+" + url + "#" + ref; }
    }

    record Range(KernelVersion start, KernelVersion end) implements KernelId {
        @Override public String toString() { return start + ".." + end; }
    }

    record PathId(String path) implements KernelId {
        @Override public String toString() { return path; }
    }

    record Version(KernelVersion version) implements KernelId {
        @Override public String toString() { return version.toString(); }
    }

    record CacheKey(String key) implements KernelId {
        @Override public String toString() { return key; }
    }

    static KernelId parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new KernelException("empty kernel id: name a version (6.12.8), a path (./linux), a cache key (see `ktstr kernel list`) or git+URL#REF");
        }
        String s = raw.trim();
        if (s.startsWith("git+")) {
            int hash = s.lastIndexOf('#');
            String url = hash < 0 ? "" : s.substring(4, hash);
            String ref = hash < 0 ? "" : s.substring(hash + 1);
            if (url.isEmpty() || ref.isEmpty()) {
                throw new KernelException("git kernel id '" + s + "' needs both a URL and a ref: git+https://host/repo.git#v6.12");
            }
            return new Git(url, ref);
        }
        int dots = s.indexOf("..");
        if (dots > 0) {
            var a = KernelVersion.tryParse(s.substring(0, dots));
            var b = KernelVersion.tryParse(s.substring(dots + 2));
            if (a.isPresent() && b.isPresent()) {
                if (a.get().compareTo(b.get()) > 0) {
                    throw new KernelException("kernel range '" + s + "' is backwards: the start " + a.get()
                            + " is newer than the end " + b.get() + "; write " + b.get() + ".." + a.get());
                }
                return new Range(a.get(), b.get());
            }
        }
        if (s.contains("/") || s.startsWith(".") || s.startsWith("~")) {
            return new PathId(s);
        }
        var v = KernelVersion.tryParse(s);
        if (v.isPresent()) return new Version(v.get());
        return new CacheKey(s);
    }

    /** Comma-separated ids; empty segments are skipped. */
    static List<KernelId> parseList(String raw) {
        List<KernelId> out = new ArrayList<>();
        if (raw == null) return out;
        for (String part : raw.split(",")) {
            if (!part.isBlank()) out.add(parse(part));
        }
        return out;
    }
}
