package dev.ktstr.cli.stats;

import dev.ktstr.results.LoadResult;
import dev.ktstr.results.stats.SidecarExplainer;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "explain-sidecar", mixinStandardHelpOptions = true,
        description = "Which optional sidecar fields of a run are empty, why, and how to fill them; lists unreadable files.")
final class StatsExplainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunsDirOption runs;

    @Option(names = "--run", required = true, paramLabel = "ID", description = "Run id (or a unique prefix).")
    String runId;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() {
        return Cli.guard(spec, () -> {
            LoadResult lr = runs.store().require(runId).load();
            spec.commandLine().getOut().print(json ? SidecarExplainer.json(lr) : SidecarExplainer.text(lr));
            return 0; // even when every file is corrupt: this command is how you find that out
        });
    }
}
