package dev.ktstr.coordinator;

import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.ArtifactRole;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files a run offers to workers, by sha256. Only files added here can be fetched: a worker
 * asking for any other digest is refused.
 */
public final class ArtifactStore {
    private final Map<String, Path> files = new ConcurrentHashMap<>();

    /** Hashes {@code file} and offers it; the returned ref goes into the job's artifact list. */
    public ArtifactRef add(Path file, ArtifactRole role) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("artifact " + file + " is not a regular file");
        String sha = ArtifactRef.sha256Of(file);
        ArtifactRef ref = new ArtifactRef(file.getFileName().toString(), sha, Files.size(file), role);
        files.put(sha, file);
        return ref;
    }

    public Optional<Path> find(String sha256) {
        return Optional.ofNullable(files.get(sha256));
    }

    public boolean offers(ArtifactRef ref) {
        return files.containsKey(ref.sha256());
    }
}
