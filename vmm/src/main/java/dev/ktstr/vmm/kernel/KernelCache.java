package dev.ktstr.vmm.kernel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The on-disk kernel cache: one directory per cache key under {@link #root()}, each holding the boot images,
 * companions and {@code metadata.json}. Stores are atomic (staged in {@code .tmp-{key}-{pid}}, then renamed), so
 * an interrupted build never leaves a half entry; leftovers of dead processes are swept. Writers hold
 * {@link #lock(String)}; readers need no lock because entries appear and disappear by rename.
 */
public final class KernelCache {

    public static final String METADATA = "metadata.json";
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final Pattern TEMP = Pattern.compile("^\\.(tmp|old)-(.+)-(\\d+)$");
    private static final Pattern BUILD_DIR = Pattern.compile("^(.+)-(\\d+)$");

    private final Path root;
    private final KconfigFragment fragment;

    public KernelCache(Path root, KconfigFragment fragment) {
        this.root = root.toAbsolutePath().normalize();
        this.fragment = fragment;
    }

    /** The cache at {@link #defaultRoot(Environment)} with the embedded fragment. */
    public static KernelCache open(Environment env) {
        return new KernelCache(defaultRoot(env), KconfigFragment.embedded());
    }

    /**
     * {@code $KTSTR_CACHE_DIR/kernels}, else {@code $XDG_CACHE_HOME/ktstr/kernels}, else
     * {@code $HOME/.cache/ktstr/kernels}. KTSTR_CACHE_DIR names the whole ktstr cache (initramfs and runtime
     * images live beside the kernels), so kernels get their own subdirectory there too.
     */
    public static Path defaultRoot(Environment env) {
        Optional<String> dir = env.get("KTSTR_CACHE_DIR");
        if (dir.isPresent()) return Path.of(dir.get(), "kernels");
        Optional<String> xdg = env.get("XDG_CACHE_HOME");
        if (xdg.isPresent()) return Path.of(xdg.get(), "ktstr", "kernels");
        Optional<String> home = env.get("HOME");
        if (home.isPresent()) return Path.of(home.get(), ".cache", "ktstr", "kernels");
        throw new KernelException("cannot locate the kernel cache: HOME is unset or empty and neither KTSTR_CACHE_DIR nor "
                + "XDG_CACHE_HOME is set; set KTSTR_CACHE_DIR=/some/dir");
    }

    public Path root() {
        return root;
    }

    public KconfigFragment fragment() {
        return fragment;
    }

    public Path entryDir(String key) {
        validateKey(key);
        return root.resolve(key);
    }

    /** Directory for build trees and logs ({@code .build}); hidden from listings. */
    public Path buildArea() {
        return root.resolve(".build");
    }

    static void validateKey(String key) {
        if (key.isEmpty() || key.startsWith(".") || key.contains("/") || key.contains("\0")) {
            throw new KernelException("invalid cache key '" + key + "': keys are single directory names (see `ktstr kernel list`)");
        }
    }

    // ---------------------------------------------------------------- reading

    /** Every entry (valid, stale and corrupt), newest first. */
    public List<CacheEntry> list() {
        if (!Files.isDirectory(root)) return List.of();
        List<CacheEntry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
                out.add(inspect(p));
            }
        } catch (IOException e) {
            throw new KernelException("cannot list kernel cache " + root + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(CacheEntry::sortTime).reversed().thenComparing(CacheEntry::key));
        return out;
    }

    public Optional<CacheEntry> get(String key) {
        Path dir = entryDir(key);
        return Files.isDirectory(dir) ? Optional.of(inspect(dir)) : Optional.empty();
    }

    /** Newest entry that is neither corrupt nor stale. */
    public Optional<CacheEntry> newestUsable() {
        return list().stream().filter(CacheEntry::usable).findFirst();
    }

    /** Newest usable entry whose version {@code v} selects (6.12 selects 6.12.117). */
    public Optional<CacheEntry> newestForVersion(KernelVersion v) {
        return list().stream()
                .filter(CacheEntry::usable)
                .filter(e -> e.version().flatMap(KernelVersion::tryParse).map(v::matches).orElse(false))
                .findFirst();
    }

    /** Classifies one entry directory; never throws for a broken entry. */
    public CacheEntry inspect(Path dir) {
        String key = dir.getFileName().toString();
        Instant mtime = mtime(dir);
        try {
            Path meta = dir.resolve(METADATA);
            if (!Files.exists(meta)) return corrupt(key, dir, mtime, CacheErrorKind.MISSING, "no " + METADATA);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(meta);
            } catch (IOException e) {
                return corrupt(key, dir, mtime, CacheErrorKind.UNREADABLE, METADATA + ": " + describe(e));
            }
            JsonNode tree;
            try {
                tree = JSON.readTree(bytes);
            } catch (JsonProcessingException e) {
                return corrupt(key, dir, mtime, CacheErrorKind.PARSE_ERROR, METADATA + " is not JSON: " + e.getOriginalMessage());
            }
            if (tree == null || !tree.isObject()) {
                return corrupt(key, dir, mtime, CacheErrorKind.MALFORMED, METADATA + " is not a JSON object");
            }
            JsonNode sv = tree.get("schema_version");
            if (sv == null || !sv.canConvertToInt()) {
                return corrupt(key, dir, mtime, CacheErrorKind.MALFORMED, METADATA + " has no schema_version");
            }
            if (sv.intValue() != KernelMetadata.CURRENT_SCHEMA) {
                return corrupt(key, dir, mtime, CacheErrorKind.SCHEMA_DRIFT, "schema_version " + sv.intValue()
                        + ", this ktstr reads " + KernelMetadata.CURRENT_SCHEMA + "; rebuild with `ktstr kernel build --force`");
            }
            KernelMetadata md;
            try {
                md = JSON.treeToValue(tree, KernelMetadata.class);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                return corrupt(key, dir, mtime, CacheErrorKind.MALFORMED, METADATA + ": " + msg);
            }
            List<String> missing = md.missingFields();
            if (!missing.isEmpty()) {
                return corrupt(key, dir, mtime, CacheErrorKind.MALFORMED, METADATA + " lacks " + String.join(", ", missing));
            }
            Instant built;
            try {
                built = Instant.parse(md.builtAt());
            } catch (DateTimeParseException e) {
                return corrupt(key, dir, mtime, CacheErrorKind.MALFORMED, "built_at '" + md.builtAt() + "' is not an ISO-8601 instant");
            }
            if (!Files.isRegularFile(dir.resolve(md.imageName()))) {
                return corrupt(key, dir, mtime, CacheErrorKind.IMAGE_MISSING, md.imageName() + " is missing");
            }
            if (md.hasVmlinux() && !Files.isRegularFile(dir.resolve(md.vmlinuxName() == null ? "vmlinux" : md.vmlinuxName()))) {
                return corrupt(key, dir, mtime, CacheErrorKind.IMAGE_MISSING, "vmlinux is missing");
            }
            for (Map.Entry<String, Long> f : md.files().entrySet()) {
                Path p = dir.resolve(f.getKey()).normalize();
                if (!p.startsWith(dir)) {
                    return corrupt(key, dir, mtime, CacheErrorKind.MALFORMED, "files lists '" + f.getKey() + "' outside the entry");
                }
                if (!Files.isRegularFile(p)) {
                    return corrupt(key, dir, mtime, CacheErrorKind.TRUNCATED, f.getKey() + " is missing (expected " + f.getValue() + " bytes)");
                }
                long size = Files.size(p);
                if (size != f.getValue()) {
                    return corrupt(key, dir, mtime, CacheErrorKind.TRUNCATED, f.getKey() + " has " + size + " bytes, expected " + f.getValue());
                }
            }
            boolean stale = !fragment.hash().equals(md.ktstrKconfigHash());
            return new CacheEntry(key, dir, Optional.of(md), Optional.empty(), stale
                    ? "built with kconfig " + md.ktstrKconfigHash() + ", current fragment is " + fragment.hash() : "",
                    stale, built);
        } catch (IOException | RuntimeException e) {
            return corrupt(key, dir, mtime, CacheErrorKind.UNKNOWN, describe(e));
        }
    }

    private static CacheEntry corrupt(String key, Path dir, Instant mtime, CacheErrorKind kind, String problem) {
        return new CacheEntry(key, dir, Optional.empty(), Optional.of(kind), problem, false, mtime);
    }

    private static String describe(Exception e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static Instant mtime(Path p) {
        try {
            FileTime t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
            return t.toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    // ---------------------------------------------------------------- locking and storing

    /** Blocks until this process owns {@code key}. Hold it across check-build-store. */
    public EntryLock lock(String key) {
        validateKey(key);
        return EntryLock.acquire(lockFile(key));
    }

    public Optional<EntryLock> tryLock(String key) {
        validateKey(key);
        return EntryLock.tryAcquire(lockFile(key));
    }

    private Path lockFile(String key) {
        return root.resolve(".locks").resolve(key + ".lock");
    }

    /** Starts an atomic store of {@code key}; the caller must hold {@link #lock(String)}. Close to discard. */
    public Staging beginStore(String key) {
        validateKey(key);
        requireLock(key);
        Path tmp = root.resolve(".tmp-" + key + "-" + ProcessHandle.current().pid());
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            ExitCleanup.register(tmp);
        } catch (IOException e) {
            throw new KernelException("cannot create staging dir " + tmp + ": " + e.getMessage(), e);
        }
        return new Staging(key, tmp);
    }

    private void requireLock(String key) {
        if (!EntryLock.heldByCurrentThread(lockFile(key))) {
            throw new IllegalStateException("cache key " + key + " must be locked (KernelCache.lock) before it is stored or removed");
        }
    }

    /** A staging directory that becomes the entry on {@link #commit}, or vanishes on {@link #close}. */
    public final class Staging implements AutoCloseable {
        private final String key;
        private final Path dir;
        private boolean done;

        private Staging(String key, Path dir) {
            this.key = key;
            this.dir = dir;
        }

        public Path dir() {
            return dir;
        }

        /**
         * Writes metadata.json (with the sizes of every staged file) and renames the staging dir into place,
         * replacing an existing entry for the key. The old entry is renamed away first so readers see either
         * the old or the new entry, never a mix.
         */
        public CacheEntry commit(KernelMetadata metadata) {
            requireLock(key);
            try {
                KernelMetadata md = withFiles(metadata, fileSizes(dir));
                Path metaTmp = dir.resolve(METADATA + ".tmp");
                JSON.writeValue(metaTmp.toFile(), md);
                Files.move(metaTmp, dir.resolve(METADATA), StandardCopyOption.ATOMIC_MOVE);
                Path target = root.resolve(key);
                Path old = root.resolve(".old-" + key + "-" + ProcessHandle.current().pid());
                boolean replaced = false;
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    deleteTree(old);
                    Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                    replaced = true;
                }
                Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
                done = true;
                ExitCleanup.unregister(dir);
                if (replaced) deleteTree(old);
                return inspect(target);
            } catch (IOException e) {
                throw new KernelException("cannot store cache entry " + key + " in " + root + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (!done) {
                done = true;
                try {
                    deleteTree(dir);
                    ExitCleanup.unregister(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove staging dir " + dir, e);
                }
            }
        }
    }

    static KernelMetadata withFiles(KernelMetadata m, Map<String, Long> files) {
        return new KernelMetadata(m.schemaVersion(), m.version(), m.source(), m.arch(), m.imageName(), m.vmlinuxName(),
                m.configHash(), m.builtAt(), m.ktstrKconfigHash(), m.hasVmlinux(), m.vmlinuxStripped(),
                m.sourceVmlinuxSize(), m.schedulers(), files, m.buildSeconds(), m.compiledObjects());
    }

    private static Map<String, Long> fileSizes(Path dir) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                String rel = dir.relativize(p).toString();
                if (rel.equals(METADATA) || rel.equals(METADATA + ".tmp")) continue;
                out.put(rel, Files.size(p));
            }
        }
        return out;
    }

    /** Removes an entry (renamed away first, so a crash mid-delete leaves only a sweepable leftover). */
    public void remove(String key) {
        requireLock(key);
        Path target = entryDir(key);
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return;
        Path old = root.resolve(".old-" + key + "-" + ProcessHandle.current().pid());
        try {
            deleteTree(old);
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException e) {
            throw new KernelException("cannot remove cache entry " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes staging/removal leftovers ({@code .tmp-*-PID}, {@code .old-*-PID}) and build trees
     * ({@code .build/*-PID}) whose process is gone. Returns what was removed.
     */
    public List<Path> sweepLeftovers() {
        List<Path> removed = new ArrayList<>();
        sweep(root, TEMP, 3, removed);
        sweep(buildArea(), BUILD_DIR, 2, removed);
        return removed;
    }

    private static void sweep(Path dir, Pattern pattern, int pidGroup, List<Path> removed) {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                var m = pattern.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
                long pid = Long.parseLong(m.group(pidGroup));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                deleteTree(p);
                removed.add(p);
            }
        } catch (IOException e) {
            throw new KernelException("cannot sweep leftovers in " + dir + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- clean

    /**
     * Entries {@code kernel clean} would remove. {@code corruptOnly}: only corrupt ones. {@code keep = N}: all
     * corrupt ones plus every valid entry (stale included) beyond the N newest valid. Neither: everything.
     */
    public static List<CacheEntry> planClean(List<CacheEntry> newestFirst, OptionalInt keep, boolean corruptOnly) {
        if (corruptOnly && keep.isPresent()) {
            throw new KernelException("--keep and --corrupt-only exclude each other: --corrupt-only already keeps every valid entry");
        }
        if (keep.isPresent() && keep.getAsInt() < 0) {
            throw new KernelException("--keep must be 0 or more, got " + keep.getAsInt());
        }
        List<CacheEntry> out = new ArrayList<>();
        int validSeen = 0;
        for (CacheEntry e : newestFirst) {
            if (e.corrupt()) {
                out.add(e);
            } else if (!corruptOnly) {
                validSeen++;
                if (keep.isEmpty() || validSeen > keep.getAsInt()) out.add(e);
            }
        }
        return out;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(p);
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path q : all) {
                if (!Files.isWritable(q.getParent())) q.getParent().toFile().setWritable(true);
                Files.deleteIfExists(q);
            }
        }
    }
}
