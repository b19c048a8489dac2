package dev.ktstr.cli.kernel;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ktstr kernel}: build, list, clean and resolve cached sched_ext kernels. */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "Build, list, clean and resolve the kernels ktstr boots.",
        subcommands = {KernelBuildCommand.class, KernelListCommand.class, KernelCleanCommand.class, KernelResolveCommand.class})
public final class KernelCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
