package dev.ktstr.cli.test;

import dev.ktstr.coordinator.testrun.TestRun;
import dev.ktstr.local.LocalVmEnvironment;
import dev.ktstr.vmm.qemu.AccelMode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ktstr test}: discovers {@code @KtstrTest} methods and runs each variant in its own VM (local mode). */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = {"Run @KtstrTest methods, each in its own VM with its own topology (local mode: coordinator and",
                "worker in this JVM). Prints one line per variant and the failure report of each failure;",
                "writes one sidecar per variant under the runs directory. Exits 1 if anything failed."})
public final class TestCommand implements Callable<Integer> {

    @Mixin
    PlanOptions plan;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "0", description = "Concurrent VMs (0 = one per two host CPUs).")
    int slots;

    @Option(names = "--accel", paramLabel = "kvm|tcg|auto", defaultValue = "auto", description = "Accelerator (auto: KVM only where it can boot a guest). Default: ${DEFAULT-VALUE}.")
    String accel;

    @Option(names = "--guest-log", description = "Print the guest agent's log lines live.")
    boolean guestLog;

    @Option(names = {"-v", "--verbose"}, description = "Print each variant's phase breakdown (host prepare, QEMU, kernel, agent JVM, scheduler attach, worker spawn, scenario, collection, teardown).")
    boolean verbose;

    @Option(names = "--no-perf-mode", description = "Turn performance mode off (also KTSTR_NO_PERF_MODE): tests that require it are skipped.")
    boolean noPerfMode;

    /** The fault-model IT's seam: damages every guest data channel (flip, insert, truncate, flood at an offset). */
    @Option(names = "--inject-channel-fault", paramLabel = "MODE@OFFSET", hidden = true)
    String channelFault;

    @Override
    public Integer call() throws Exception {
        if (plan.roots().isEmpty()) {
            System.err.println("ktstr test: name the jars or class directories that hold @KtstrTest classes,"
                    + " e.g. `bin/ktstr test examples/target/test-classes`");
            return 2;
        }
        dev.ktstr.coordinator.testrun.TestRunOptions options;
        try {
            options = plan.toRunOptions(slots);
        } catch (IllegalArgumentException e) {
            System.err.println("ktstr test: " + e.getMessage());
            return 2;
        }
        dev.ktstr.worker.vm.ChannelFault fault;
        try {
            fault = channelFault == null ? null : dev.ktstr.worker.vm.ChannelFault.parse(channelFault);
        } catch (IllegalArgumentException e) {
            System.err.println("ktstr test: --inject-channel-fault: " + e.getMessage());
            return 2;
        }
        if (fault != null) System.err.println("ktstr test: injecting a fault into every guest data channel: " + fault);
        if (noPerfMode) System.setProperty(dev.ktstr.worker.vm.VmJobExecutor.NO_PERF_MODE_PROPERTY, "true");
        LocalVmEnvironment env = new LocalVmEnvironment(plan.kernels, AccelMode.parse(accel),
                guestLog ? line -> System.err.println("  guest: " + line) : null, System.err).injectChannelFault(fault);
        TestRun.Result r = new TestRun(options, env, System.out, System.err).verbose(verbose).run(null);
        return r.exitCode(); // 0 pass, 1 fail, 2 inconclusive only
    }
}
