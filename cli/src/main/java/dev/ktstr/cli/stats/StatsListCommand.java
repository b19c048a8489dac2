package dev.ktstr.cli.stats;

import dev.ktstr.results.stats.RunListing;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List runs, newest first.")
final class StatsListCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunsDirOption runs;

    @Override
    public Integer call() {
        return Cli.guard(spec, () -> {
            spec.commandLine().getOut().print(RunListing.render(runs.store()));
            return 0;
        });
    }
}
