package dev.ktstr.coordinator.testrun;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ktstr.protocol.job.ArtifactRole;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What a test run needs besides its journal to be resumed by another coordinator process
 * ({@code manifest.json} in the run directory): where each offered artifact lives on the
 * coordinator host, the kernels' versions for sidecars, and the variants that were resolved
 * without a VM. The journal holds the jobs and their results.
 *
 * @param accelerator the coordinator's accelerator when planning (sidecar default when a result names none)
 * @param preResolved variants decided at planning time (hostOnly, missing scheduler binary); not in the journal
 */
public record RunManifest(int formatVersion, String runId, String commit, String accelerator, List<String> testRoots,
                          List<Kernel> kernels, List<Artifact> artifacts, List<PreResolved> preResolved) {

    public static final String FILE_NAME = "manifest.json";
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            // explicit modules: findAndRegisterModules also picks up whatever is on a user's classpath
            // (Pekko's Scala module, which refuses a newer databind) and fails the class's init
            .registerModule(new Jdk8Module())
            .registerModule(new JavaTimeModule())
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public RunManifest {
        testRoots = testRoots == null ? List.of() : List.copyOf(testRoots);
        kernels = kernels == null ? List.of() : List.copyOf(kernels);
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        preResolved = preResolved == null ? List.of() : List.copyOf(preResolved);
    }

    /** A kernel as the sidecars name it; paths are the coordinator's. */
    public record Kernel(String label, String version, String image, String btf, String systemMap, String commit) {
        static Kernel of(KernelArtifacts k) {
            return new Kernel(k.label(), k.version(), k.image().toString(), k.btf().map(Path::toString).orElse(null),
                    k.systemMap().map(Path::toString).orElse(null), k.commit());
        }

        KernelArtifacts artifacts() {
            return new KernelArtifacts(label, version, Path.of(image), java.util.Optional.ofNullable(btf).map(Path::of),
                    java.util.Optional.ofNullable(systemMap).map(Path::of), java.util.Optional.empty(), commit);
        }
    }

    /** One file the run offers to workers. */
    public record Artifact(String sha256, long size, ArtifactRole role, String path) {
    }

    public record PreResolved(JobSpec job, JobResult result) {
    }

    /**
     * Written before any job runs; atomic, so a reader sees the whole file or none, and durable
     * (file then directory fsynced) before the journal that depends on it is created.
     */
    void write(Path runDir) throws IOException {
        Path tmp = Files.createTempFile(runDir, ".manifest", ".tmp");
        try {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(this));
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            Files.move(tmp, runDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            dev.ktstr.coordinator.journal.RunJournal.syncDirectory(runDir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static boolean existsIn(Path runDir) {
        return Files.isRegularFile(runDir.resolve(FILE_NAME));
    }

    static RunManifest read(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE_NAME);
        RunManifest m;
        try {
            m = JSON.readValue(f.toFile(), RunManifest.class);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IOException(f + " is missing: this run was not planned from test classes (a --fake-jobs run?)");
        }
        if (m.formatVersion() > FORMAT_VERSION) {
            throw new IOException(f + " was written by a newer ktstr (format " + m.formatVersion() + ")");
        }
        return m;
    }
}
