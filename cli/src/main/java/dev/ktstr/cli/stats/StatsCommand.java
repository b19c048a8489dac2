package dev.ktstr.cli.stats;

import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import dev.ktstr.results.stats.RunOverview;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ktstr stats}: run history, summaries and regression comparison over sidecars. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Summaries and comparisons of recorded runs (one directory per run, never pruned).",
                "Without a subcommand: summary of the newest run."},
        subcommands = {StatsListCommand.class, StatsListMetricsCommand.class, StatsListValuesCommand.class,
                StatsShowHostCommand.class, StatsExplainCommand.class, StatsCompareCommand.class, StatsMergeCommand.class})
public final class StatsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunsDirOption runs;

    @Option(names = "--run", paramLabel = "ID", description = "Summarize this run instead of the newest.")
    String runId;

    @Override
    public Integer call() throws Exception {
        RunStore store = runs.store();
        return Cli.guard(spec, () -> {
            Optional<RunDir> run = runId != null ? Optional.of(store.require(runId)) : store.newest();
            if (run.isEmpty()) {
                spec.commandLine().getErr().println("no runs under " + store.root()
                        + " (run tests first, or pass --runs-dir / set KTSTR_RUNS_DIR)");
                return 1;
            }
            spec.commandLine().getOut().print(RunOverview.render(run.get(), run.get().load()));
            return 0;
        });
    }
}
