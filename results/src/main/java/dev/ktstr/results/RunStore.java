package dev.ktstr.results;

import dev.ktstr.protocol.sidecar.RunMeta;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The runs root: one directory per run, never pruned. Unlike the original ktstr (one directory per
 * kernel+commit, cleared by the next run), every run keeps its own directory, so history survives
 * and "the latest run for kernel X and commit Y" is a query ({@link #latest}), not a location.
 *
 * <p>Root: {@code --runs-dir}, else {@code $KTSTR_RUNS_DIR}, else {@code ./target/ktstr-runs}.
 */
public final class RunStore {
    public static final String ENV = "KTSTR_RUNS_DIR";

    private final Path root;

    private RunStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public static RunStore open(Path root) {
        return new RunStore(Objects.requireNonNull(root, "root"));
    }

    /** The root a command uses: the explicit option if given, else $KTSTR_RUNS_DIR, else ./target/ktstr-runs. */
    public static Path resolveRoot(Path explicit) {
        if (explicit != null) {
            return explicit;
        }
        String env = System.getenv(ENV);
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("target", "ktstr-runs");
    }

    public Path root() {
        return root;
    }

    /** Creates a new, empty run directory with its {@code run.json}. */
    public RunDir newRun(RunInfo info) throws IOException {
        return newRun(info, List.of());
    }

    RunDir newRun(RunInfo info, List<String> mergedFrom) throws IOException {
        Files.createDirectories(root);
        for (int attempt = 0; ; attempt++) {
            String id = RunId.create(info);
            Path dir = root.resolve(id);
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                if (attempt < 20) {
                    continue;
                }
                throw new IOException("could not create a unique run directory under " + root, e);
            }
            RunMeta meta = new RunMeta(1, id, info.kernel(), info.commit(), info.startedAt().toString(),
                    info.runSource(), mergedFrom);
            RunDir run = new RunDir(dir, meta);
            run.writeBytes(RunMeta.FILE_NAME, SidecarCodec.mapper().writeValueAsBytes(meta), "run.json");
            return run;
        }
    }

    /** A new run under a caller-chosen id ({@code ktstr coordinator --run-id}, a systemd instance name); it must be new. */
    public RunDir newNamedRun(String name, RunInfo info) throws IOException {
        return newNamedRun(name, info, List.of(), "a run id that exists: resume it (--resume " + name + ") or choose another --run-id");
    }

    /** A run under a caller-chosen directory name ({@code stats merge --into NAME}); the name must be new. */
    RunDir newNamedRun(String name, RunInfo info, List<String> mergedFrom) throws IOException {
        return newNamedRun(name, info, mergedFrom, "choose another --into name");
    }

    private RunDir newNamedRun(String name, RunInfo info, List<String> mergedFrom, String fix) throws IOException {
        if (name.isBlank() || name.startsWith(".") || name.contains("/") || name.equals("..")) {
            throw new IllegalArgumentException("run name '" + name + "' must be a plain directory name");
        }
        Files.createDirectories(root);
        Path dir = root.resolve(name);
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("run " + name + " already exists under " + root
                    + ": runs are never overwritten; " + fix);
        }
        RunMeta meta = new RunMeta(1, name, info.kernel(), info.commit(), info.startedAt().toString(),
                info.runSource(), mergedFrom);
        RunDir run = new RunDir(dir, meta);
        run.writeBytes(RunMeta.FILE_NAME, SidecarCodec.mapper().writeValueAsBytes(meta), "run.json");
        return run;
    }

    /** Every run, newest first (by run.json start time, else directory mtime). Missing root ⇒ empty. */
    public List<RunDir> runs() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<RunDir> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || !Files.isDirectory(p)) {
                    continue;
                }
                Optional<RunMeta> meta = RunDir.readMeta(p);
                if (meta.isEmpty() && !RunId.looksLikeRunId(name) && !RunDir.hasSidecars(p)) {
                    continue;
                }
                out.add(new RunDir(p, meta.orElseGet(() -> inferredMeta(p))));
            }
        }
        out.sort(Comparator.comparing(RunDir::createdAt).thenComparing(RunDir::id).reversed());
        return out;
    }

    /** The run with this id, or the only run whose id starts with it. */
    public Optional<RunDir> find(String idOrPrefix) throws IOException {
        List<RunDir> all = runs();
        for (RunDir r : all) {
            if (r.id().equals(idOrPrefix)) {
                return Optional.of(r);
            }
        }
        List<RunDir> byPrefix = all.stream().filter(r -> r.id().startsWith(idOrPrefix)).toList();
        if (byPrefix.size() > 1) {
            throw new IllegalArgumentException("run id prefix '" + idOrPrefix + "' is ambiguous: matches "
                    + byPrefix.stream().map(RunDir::id).toList() + "; give more of the id");
        }
        return byPrefix.stream().findFirst();
    }

    /** Like {@link #find} but a missing run is an error naming the runs root and how to list runs. */
    public RunDir require(String idOrPrefix) throws IOException {
        return find(idOrPrefix).orElseThrow(() -> new IllegalArgumentException("no run '" + idOrPrefix
                + "' under " + root + " (see `ktstr stats list`, or pass --runs-dir)"));
    }

    public Optional<RunDir> newest() throws IOException {
        return runs().stream().findFirst();
    }

    /**
     * The newest run for a kernel version and project commit.
     *
     * @param commit null matches any commit
     */
    public Optional<RunDir> latest(String kernel, String commit) throws IOException {
        return runs().stream()
                .filter(r -> Objects.equals(r.meta().kernel(), kernel))
                .filter(r -> commit == null || commit.equals(r.meta().commit()))
                .findFirst();
    }

    private static RunMeta inferredMeta(Path dir) {
        String id = dir.getFileName().toString();
        java.time.Instant t = RunId.parseStamp(id);
        if (t == null) {
            try {
                t = Files.getLastModifiedTime(dir).toInstant();
            } catch (IOException e) {
                t = java.time.Instant.EPOCH;
            }
        }
        return new RunMeta(1, id, "unknown", null, t.toString(), "archive", List.of());
    }
}
