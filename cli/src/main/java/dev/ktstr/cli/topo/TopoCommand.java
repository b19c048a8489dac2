package dev.ktstr.cli.topo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ktstr topo}: the host's CPUs, LLC groups and NUMA nodes. */
@Command(name = "topo", mixinStandardHelpOptions = true, description = "Print host CPUs, LLCs and NUMA nodes.")
public final class TopoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        try {
            System.out.print(HostTopology.read(Path.of("/sys")).render());
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("ktstr topo: cannot read /sys/devices/system: " + e.getMessage());
            return 1;
        }
    }
}
