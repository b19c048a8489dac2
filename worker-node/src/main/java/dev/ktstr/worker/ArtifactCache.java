package dev.ktstr.worker;

import dev.ktstr.host.KtstrDirs;
import dev.ktstr.host.LeftoverReaper;
import dev.ktstr.host.OwnedTempFiles;
import dev.ktstr.protocol.job.ArtifactRef;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Content-addressed files under {@code <root>/artifacts/sha256/<2 hex>/<64 hex>}. A file enters
 * the cache only through {@link #commit} after its digest and size were checked, so anything
 * found here is what the coordinator named.
 */
public final class ArtifactCache {
    /** Downloads in progress: {@code tmp/part-<pid>-<start>-<sha prefix>-<random>.part}, named by {@link OwnedTempFiles}. */
    static final String PART_PREFIX = "part-";
    /** Before owners were named: {@code <12 hex of the sha>-<random>.part}. */
    private static final java.util.regex.Pattern LEGACY_PART = java.util.regex.Pattern.compile("[0-9a-f]{12}-[0-9]+\\.part");

    private final Path root;
    private final LeftoverReaper.Result reaped;

    /** Removes the {@code .part} downloads of dead processes first: a killed worker never deletes its own. */
    public ArtifactCache(Path cacheRoot) {
        this.root = cacheRoot.resolve("artifacts").resolve("sha256");
        this.reaped = LeftoverReaper.reap(root.resolve("tmp"), PART_PREFIX, n -> LEGACY_PART.matcher(n).matches(),
                LeftoverReaper.LEGACY_MAX_AGE);
        reaped.summary().ifPresent(s -> System.err.println("ktstr: artifact cache " + root + ": " + s));
    }

    /** What construction removed. */
    public LeftoverReaper.Result reaped() {
        return reaped;
    }

    public static ArtifactCache defaultCache() {
        return new ArtifactCache(KtstrDirs.cacheRoot());
    }

    public Path root() {
        return root;
    }

    Path pathOf(String sha256) {
        if (!ArtifactRef.isSha256(sha256)) throw new IllegalArgumentException("not a sha256: " + sha256);
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    public boolean contains(ArtifactRef ref) {
        Path p = pathOf(ref.sha256());
        try {
            return Files.isRegularFile(p) && Files.size(p) == ref.size();
        } catch (IOException e) {
            return false;
        }
    }

    public Optional<Path> find(String sha256) {
        Path p = pathOf(sha256);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** The cached file for {@code ref}; fails naming the artifact when the worker never fetched it. */
    public Path require(ArtifactRef ref) {
        if (!contains(ref)) {
            throw new IllegalStateException("artifact " + ref.name() + " (sha256 " + ref.sha256()
                    + ") is not in the worker cache " + root + ": it must be fetched from the coordinator first");
        }
        return pathOf(ref.sha256());
    }

    /**
     * {@link #require}, then marks the cached file executable (rwxr-xr-x). Cache files are created
     * 0600 whatever the host file's mode was, so a binary run in the guest (scheduler, payload) needs
     * this before it is packed; the bit is harmless for the same bytes used as data.
     */
    public Path requireExecutable(ArtifactRef ref) throws IOException {
        Path p = require(ref);
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /** A fresh temp file in the cache's own file system, so {@link #commit} can rename atomically. */
    public Path newTempFile(String sha256) throws IOException {
        Path dir = root.resolve("tmp");
        Files.createDirectories(dir);
        return OwnedTempFiles.createFile(dir, PART_PREFIX, "-" + sha256.substring(0, 12) + ".part");
    }

    /**
     * Moves a fully written temp file into the cache after checking it hashes to {@code ref};
     * deletes it and throws when it does not.
     */
    public Path commit(ArtifactRef ref, Path temp) throws IOException {
        String actual = ArtifactRef.sha256Of(temp);
        long size = Files.size(temp);
        if (!actual.equals(ref.sha256()) || size != ref.size()) {
            Files.deleteIfExists(temp);
            throw new IOException("artifact " + ref.name() + " failed verification: expected sha256 " + ref.sha256()
                    + " size " + ref.size() + ", got " + actual + " size " + size);
        }
        Path target = pathOf(ref.sha256());
        Files.createDirectories(target.getParent());
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
