package dev.ktstr.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ktstr} command. Subcommands register themselves in {@link #subcommands()}. */
@Command(name = "ktstr", mixinStandardHelpOptions = true, version = "ktstr-java 0.1.0",
        description = "Test harness for Linux schedulers: boots kernels in VMs with exact CPU topologies.")
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static {
        // The worker command lives below the VM backend's module; hand it the real executor here.
        dev.ktstr.cli.cluster.WorkerCommand.vmExecutor = cache -> dev.ktstr.junit.local.LocalVmEnvironment.workerExecutor(
                cache, dev.ktstr.vmm.qemu.AccelMode.AUTO);
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        for (Object sub : subcommands()) {
            cl.addSubcommand(sub);
        }
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
        return new Object[] {new dev.ktstr.cli.kernel.KernelCommand(), new dev.ktstr.cli.stats.StatsCommand(), new dev.ktstr.cli.shell.ShellCommand(), new dev.ktstr.cli.topo.TopoCommand(), new dev.ktstr.cli.cluster.CoordinatorCommand(), new dev.ktstr.cli.cluster.WorkerCommand(), new dev.ktstr.cli.test.TestCommand()};
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
