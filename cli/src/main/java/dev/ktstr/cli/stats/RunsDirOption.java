package dev.ktstr.cli.stats;

import dev.ktstr.results.LoadResult;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --runs-dir} (alias {@code --dir}), shared by every stats subcommand. */
public final class RunsDirOption {
    @Option(names = {"--runs-dir", "--dir"}, paramLabel = "DIR",
            description = "Runs root (default: $KTSTR_RUNS_DIR, else ./target/ktstr-runs).")
    Path runsDir;

    RunStore store() {
        return RunStore.open(RunStore.resolveRoot(runsDir));
    }

    /** Every sidecar of every run under the root; unreadable files are in the result's problems. */
    LoadResult pool() throws IOException {
        return pool(null);
    }

    /**
     * Sidecars of the runs whose id starts with one of {@code runPrefixes} (all runs when null):
     * a compare of two runs need not read the whole history.
     */
    LoadResult pool(java.util.Collection<String> runPrefixes) throws IOException {
        List<LoadResult> parts = new ArrayList<>();
        for (RunDir r : store().runs()) {
            if (runPrefixes == null || runPrefixes.stream().anyMatch(p -> r.id().startsWith(p))) {
                parts.add(r.load());
            }
        }
        return LoadResult.concat(parts);
    }
}
