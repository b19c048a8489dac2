package dev.ktstr.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ktstr} command. Subcommands register themselves in {@link #subcommands()}. */
@Command(name = "ktstr", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Test harness for Linux schedulers: boots kernels in VMs with exact CPU topologies.")
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Initialise SLF4J before any thread logs: otherwise calls racing its initialisation are
        // "intercepted and replayed" with a three-line warning on every run.
        org.slf4j.LoggerFactory.getILoggerFactory();
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        for (Object sub : subcommands()) {
            cl.addSubcommand(sub);
        }
        // `ktstr generate-completion > ktstr_completion; source ktstr_completion` (bash and zsh)
        cl.addSubcommand("generate-completion", new picocli.AutoComplete.GenerateCompletion());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Users get the message that names the problem; the stack only when they ask for it.
            cmd.getErr().println("ktstr " + cmd.getCommandName() + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("KTSTR_VERBOSE") != null) ex.printStackTrace(cmd.getErr());
            else cmd.getErr().println("(set KTSTR_VERBOSE=1 for the stack trace)");
            return 2;
        });
        return cl.execute(args);
    }

    /** Every subcommand of {@code ktstr}; each lives in its own class in this package tree. */
    static Object[] subcommands() {
        return new Object[] {new dev.ktstr.cli.kernel.KernelCommand(), new dev.ktstr.cli.stats.StatsCommand(), new dev.ktstr.cli.shell.ShellCommand(), new dev.ktstr.cli.topo.TopoCommand(), new dev.ktstr.cli.cluster.CoordinatorCommand(), new dev.ktstr.cli.cluster.WorkerCommand(), new dev.ktstr.cli.test.TestCommand(), new dev.ktstr.cli.verifier.VerifierCommand()};
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
