package dev.ktstr.cli.stats;

import dev.ktstr.results.LoadResult;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.stats.HostReport;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "show-host", mixinStandardHelpOptions = true, description = "The host a run ran on.")
final class StatsShowHostCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunsDirOption runs;

    @Option(names = "--run", required = true, paramLabel = "ID", description = "Run id (or a unique prefix).")
    String runId;

    @Override
    public Integer call() {
        return Cli.guard(spec, () -> {
            RunDir run = runs.store().require(runId);
            LoadResult lr = run.load();
            Optional<String> text = HostReport.render(lr);
            if (text.isEmpty()) {
                // the only sidecars with a host may be among the unreadable ones
                lr.problems().forEach(p -> spec.commandLine().getErr().println("skipped unreadable: " + p.message()));
                spec.commandLine().getErr().println("run " + run.id() + " has no sidecar with a host context "
                        + "(see `ktstr stats explain-sidecar --run " + run.id() + "`)");
                return 1;
            }
            spec.commandLine().getOut().print(text.get());
            return 0;
        });
    }
}
