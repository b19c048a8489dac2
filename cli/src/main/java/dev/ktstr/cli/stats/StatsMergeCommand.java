package dev.ktstr.cli.stats;

import dev.ktstr.results.RunMerger;
import dev.ktstr.results.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge runs (e.g. CI shards) into one new run. Identical duplicates are dropped;",
                "the same variant with different results is refused and nothing is written."})
final class StatsMergeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunsDirOption runs;

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run ids under the runs root, or run directories.")
    List<String> sources;

    @Option(names = "--into", paramLabel = "NAME", description = "Name of the new run directory (default: a fresh run id).")
    String into;

    @Override
    public Integer call() {
        RunStore store = runs.store();
        return Cli.guard(spec, () -> {
            List<Path> dirs = new ArrayList<>();
            for (String s : sources) {
                Path p = Path.of(s);
                dirs.add(Files.isDirectory(p) && (s.contains("/") || store.find(s).isEmpty()) ? p : store.require(s).path());
            }
            try {
                RunMerger.Result r = RunMerger.merge(store, dirs, into);
                r.skipped().forEach(p -> spec.commandLine().getErr().println("skipped unreadable: " + p.message()));
                spec.commandLine().getOut().println("merged " + dirs.size() + " run(s) into " + r.created().id() + ": "
                        + r.variants() + " variant(s), " + r.duplicates() + " identical duplicate(s) dropped ("
                        + r.created().path() + ")");
                return 0;
            } catch (RunMerger.MergeConflictException e) {
                spec.commandLine().getErr().println("ktstr stats merge: " + e.getMessage());
                return 1;
            }
        });
    }
}
