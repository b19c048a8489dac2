package dev.ktstr.cli.stats;

import dev.ktstr.results.LoadResult;
import dev.ktstr.results.stats.ValueListing;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list-values", mixinStandardHelpOptions = true,
        description = "Distinct values of each filter dimension across all runs (what compare can filter on).")
final class StatsListValuesCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunsDirOption runs;

    @Option(names = "--json", description = "JSON object of dimension -> values (null = not recorded).")
    boolean json;

    @Override
    public Integer call() {
        return Cli.guard(spec, () -> {
            LoadResult pool = runs.pool();
            spec.commandLine().getOut().print(json ? ValueListing.json(pool) : ValueListing.text(pool));
            if (json && !pool.problems().isEmpty()) {
                pool.problems().forEach(p -> spec.commandLine().getErr().println("skipped: " + p.message()));
            }
            return 0;
        });
    }
}
