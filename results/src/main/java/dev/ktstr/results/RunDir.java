package dev.ktstr.results;

import dev.ktstr.protocol.sidecar.RunMeta;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import dev.ktstr.protocol.sidecar.SidecarFormatException;
import dev.ktstr.protocol.sidecar.VariantKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One run's directory: {@code run.json} plus one {@code <test>-<hash16>.ktstr.json} per variant.
 * Writes are atomic and exclusive: the file is written under a unique hidden temp name, flushed,
 * then hard-linked to its final name (link(2) fails if the name exists, so two writers can never
 * overwrite each other and a reader never sees a partial file).
 */
public final class RunDir {
    private final Path path;
    private final RunMeta meta;

    RunDir(Path path, RunMeta meta) {
        this.path = path;
        this.meta = meta;
    }

    public String id() {
        return path.getFileName().toString();
    }

    public Path path() {
        return path;
    }

    /** {@code run.json}, or one inferred from the directory (older or hand-made run dirs). */
    public RunMeta meta() {
        return meta;
    }

    /** When the run started (run.json), else the directory's modification time. */
    public Instant createdAt() {
        try {
            return Instant.parse(meta.createdAt());
        } catch (RuntimeException e) {
            return lastModified();
        }
    }

    public Instant lastModified() {
        try {
            return Files.getLastModifiedTime(path).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    /**
     * Writes one variant's sidecar, stamping this run's id into it.
     *
     * @return the file written
     * @throws SidecarConflictException when this run already has a sidecar for the variant
     * @throws IllegalArgumentException when the sidecar would not validate (e.g. NaN in a statistic)
     */
    public Path write(Sidecar sidecar) throws IOException {
        Sidecar stamped = id().equals(sidecar.runId()) ? sidecar : sidecar.withRunId(id());
        // A file that readers would reject must fail here, where the bug is, not later in `ktstr stats`.
        // Validate the bytes as a reader will see them (Jackson writes NaN as the string "NaN").
        byte[] bytes = SidecarCodec.toBytes(stamped);
        List<String> problems = SidecarCodec.validate(SidecarCodec.mapper().readTree(bytes));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("sidecar for " + describe(stamped) + " does not match the sidecar schema "
                    + "(a NaN/infinite statistic or a missing field?): " + String.join("; ", problems));
        }
        return writeBytes(VariantKey.fileName(stamped), bytes, "variant " + describe(stamped));
    }

    /**
     * Writes a variant's logs (console, guest agent, scheduler output) next to its sidecar, as
     * {@code <sidecar name without .ktstr.json>.log}: a failure report only quotes them. Same
     * no-overwrite rule as the sidecar.
     *
     * @param sidecarFile the path {@link #write} returned
     * @param sections    section title → text, in order; blank sections are left out
     */
    public Path writeLog(Path sidecarFile, java.util.Map<String, String> sections) throws IOException {
        String name = sidecarFile.getFileName().toString();
        String base = name.endsWith(".ktstr.json") ? name.substring(0, name.length() - ".ktstr.json".length()) : name;
        StringBuilder b = new StringBuilder();
        sections.forEach((title, text) -> {
            if (text == null || text.isBlank()) return;
            b.append("===== ").append(title).append(" =====\n").append(text);
            if (!text.endsWith("\n")) b.append('\n');
        });
        return writeBytes(base + ".log", b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), "the log of " + base);
    }

    /** Places an existing sidecar file's bytes verbatim (merge keeps provenance: run_id stays the shard's). */
    Path writeBytes(String fileName, byte[] bytes, String what) throws IOException {
        Path target = path.resolve(fileName);
        Path tmp = path.resolve("." + fileName + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                throw new SidecarConflictException(target, "run " + id() + " already has a sidecar for " + what
                        + " (" + target + "). A run records each variant once: start a new run to record a rerun, "
                        + "and write only the final attempt of a retried variant.");
            } catch (UnsupportedOperationException e) {
                // Filesystems without hard links: a plain no-replace move (exclusive, not race-free on all platforms).
                Files.move(tmp, target);
            }
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Sidecar files of this run: the directory and one level of subdirectories (CI shard layouts). */
    public List<Path> sidecarFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(path, 2)) {
            s.filter(p -> VariantKey.isSidecarFileName(p.getFileName().toString()))
                    .filter(Files::isRegularFile).sorted().forEach(out::add);
        }
        return out;
    }

    /** Reads every sidecar of the run; unreadable files become {@link LoadProblem}s, never exceptions. */
    public LoadResult load() {
        List<LoadedSidecar> ok = new ArrayList<>();
        List<LoadProblem> bad = new ArrayList<>();
        List<Path> files;
        try {
            files = sidecarFiles();
        } catch (IOException e) {
            return new LoadResult(ok, List.of(new LoadProblem(path, path + ": cannot list run directory: " + e.getMessage(), true)), 0);
        }
        String metaProblem = metaProblem(path);
        if (metaProblem != null) {
            bad.add(new LoadProblem(path.resolve(RunMeta.FILE_NAME), metaProblem, false));
        }
        for (Path f : files) {
            try {
                ok.add(new LoadedSidecar(id(), f, SidecarCodec.read(f)));
            } catch (SidecarFormatException e) {
                bad.add(new LoadProblem(f, e.getMessage(), false));
            } catch (IOException e) {
                bad.add(new LoadProblem(f, f + ": cannot read: " + e.getMessage(), true));
            }
        }
        return new LoadResult(ok, bad, files.size());
    }

    /** {@code run.json}, or empty when it is absent or unusable ({@link #metaProblem} says why). */
    static Optional<RunMeta> readMeta(Path dir) {
        Path f = dir.resolve(RunMeta.FILE_NAME);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parseMeta(f));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Why {@code run.json} exists but cannot be used, or null when it is fine or absent (hand-made run
     * directories have none). The run still loads, with its kernel and commit inferred.
     */
    static String metaProblem(Path dir) {
        Path f = dir.resolve(RunMeta.FILE_NAME);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            parseMeta(f);
            return null;
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage());
            int nl = msg.indexOf('\n');
            return f + ": unusable run metadata (" + (nl < 0 ? msg : msg.substring(0, nl))
                    + "); kernel and commit of the run are inferred from its directory. The sidecars are unaffected; "
                    + "restore run.json from a copy or delete it";
        }
    }

    private static RunMeta parseMeta(Path f) throws IOException {
        RunMeta m = SidecarCodec.mapper().readValue(f.toFile(), RunMeta.class);
        if (m == null || m.schemaVersion() != 1 || m.runId() == null || m.createdAt() == null) {
            throw new IOException("not a ktstr run.json: needs schema_version 1, run_id and created_at");
        }
        return m;
    }

    static boolean hasSidecars(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (VariantKey.isSidecarFileName(p.getFileName().toString()) || Files.isDirectory(p)) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static String describe(Sidecar s) {
        return s.testName() + " [" + s.topology() + ", " + s.scheduler() + ", flags=" + s.activeFlags() + "]";
    }

    @Override
    public String toString() {
        return id();
    }
}
