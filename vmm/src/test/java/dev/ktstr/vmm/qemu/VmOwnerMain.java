package dev.ktstr.vmm.qemu;

import java.nio.file.Path;
import java.time.Duration;

/** Child JVM for the kill -9 test: boots a VM that never powers off and waits. */
public final class VmOwnerMain {
    private VmOwnerMain() {}

    public static void main(String[] args) throws Exception {
        VmSpec s = VmSpec.builder(Path.of(args[0]), Path.of(args[1])).name("owner-vm").timeout(Duration.ofSeconds(300)).build();
        QemuVm vm = QemuVm.start(s);
        System.out.println("started " + vm.pid());
        vm.awaitExit();
    }
}
