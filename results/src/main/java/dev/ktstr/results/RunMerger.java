package dev.ktstr.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import dev.ktstr.protocol.sidecar.VariantKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code ktstr stats merge}: several runs (e.g. CI shards) into one new run. Sidecar files are copied
 * byte for byte (their run_id keeps naming the shard that produced them). The same variant in two
 * sources is fine if the files agree on everything but run_id; otherwise nothing is written and the
 * conflict is reported.
 */
public final class RunMerger {

    /** Sources disagree about a variant. */
    public static final class MergeConflictException extends IOException {
        private static final long serialVersionUID = 1L;

        MergeConflictException(String message) {
            super(message);
        }
    }

    /**
     * @param created   the new run
     * @param variants  distinct variants written
     * @param duplicates identical duplicates dropped
     * @param skipped   unreadable source files (reported, not merged)
     */
    public record Result(RunDir created, int variants, int duplicates, List<LoadProblem> skipped) {}

    private RunMerger() {}

    /**
     * @param sources run directories (of this store or anywhere, e.g. downloaded CI artifacts)
     * @param intoId  name of the new run directory under the store's root, or null for a fresh run id
     */
    public static Result merge(RunStore store, List<Path> sources, String intoId) throws IOException {
        if (sources.size() < 1) {
            throw new IllegalArgumentException("merge needs at least one run to merge");
        }
        Map<String, LoadedSidecar> byVariant = new LinkedHashMap<>();
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        List<String> conflicts = new ArrayList<>();
        List<LoadProblem> problems = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        int dups = 0;
        String kernel = null;
        String commit = null;
        boolean mixedKernel = false;
        boolean mixedCommit = false;
        for (Path src : sources) {
            if (!Files.isDirectory(src)) {
                throw new IllegalArgumentException("merge source " + src + " is not a directory (give run ids of "
                        + store.root() + " or run directories)");
            }
            RunDir run = new RunDir(src.toAbsolutePath().normalize(),
                    RunDir.readMeta(src).orElseGet(() -> new dev.ktstr.protocol.sidecar.RunMeta(1,
                            src.getFileName().toString(), "unknown", null, Instant.EPOCH.toString(), "archive", List.of())));
            ids.add(run.id());
            if (kernel == null) {
                kernel = run.meta().kernel();
                commit = run.meta().commit();
            } else {
                mixedKernel |= !kernel.equals(run.meta().kernel());
                mixedCommit |= !Objects.equals(commit, run.meta().commit());
            }
            LoadResult lr = run.load();
            problems.addAll(lr.problems());
            for (LoadedSidecar s : lr.sidecars()) {
                String name = VariantKey.fileName(s.sidecar());
                LoadedSidecar prev = byVariant.get(name);
                if (prev == null) {
                    byVariant.put(name, s);
                    bytes.put(name, Files.readAllBytes(s.path()));
                    continue;
                }
                List<String> diff = differingFields(prev, s);
                if (diff.isEmpty()) {
                    dups++;
                } else {
                    conflicts.add(s.sidecar().testName() + " (" + name + "): " + prev.path() + " and " + s.path()
                            + " differ in " + diff);
                }
            }
        }
        if (!conflicts.isEmpty()) {
            throw new MergeConflictException("refusing to merge: " + conflicts.size()
                    + " variant(s) appear in several sources with different results:\n  " + String.join("\n  ", conflicts)
                    + "\nDrop one of the conflicting sources, or compare them with `ktstr stats compare --runs A B`.");
        }
        RunInfo info = new RunInfo(mixedKernel ? "mixed" : kernel, mixedCommit ? null : commit, "merge", Instant.now());
        RunDir target;
        if (intoId == null) {
            target = store.newRun(info, ids);
        } else {
            target = store.newNamedRun(intoId, info, ids);
        }
        for (Map.Entry<String, byte[]> e : bytes.entrySet()) {
            target.writeBytes(e.getKey(), e.getValue(), "variant " + e.getKey());
        }
        return new Result(target, bytes.size(), dups, problems);
    }

    /** Top-level fields that differ, ignoring run_id (each shard stamps its own). */
    private static List<String> differingFields(LoadedSidecar a, LoadedSidecar b) {
        ObjectNode ta = (ObjectNode) SidecarCodec.toTree(a.sidecar());
        ObjectNode tb = (ObjectNode) SidecarCodec.toTree(b.sidecar());
        ta.remove("run_id");
        tb.remove("run_id");
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = ta.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            JsonNode vb = tb.get(f);
            if (!ta.get(f).equals(vb)) {
                out.add(f);
            }
        }
        return out;
    }
}
