package dev.ktstr.vmm.elf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Real binaries of the build machine used by the ELF tests. */
public final class TestBinaries {
    private TestBinaries() {}

    /**
     * A dynamically linked sched_ext scheduler (needs libelf, libz, libc). Set KTSTR_TEST_SCX to it, or
     * KTSTR_TEST_KERNEL to a kernel directory with scx/scx_simple (the development kernel has one).
     */
    public static Path scxSimple() {
        String scx = System.getenv("KTSTR_TEST_SCX");
        Path p = null;
        if (scx != null && !scx.isBlank()) {
            p = Path.of(scx);
        } else {
            String k = System.getenv("KTSTR_TEST_KERNEL");
            if (k != null && !k.isBlank()) {
                Path kp = Path.of(k);
                Path dir = Files.isDirectory(kp) ? kp : kp.getParent();
                p = dir.resolve("scx/scx_simple");
            }
        }
        assumeTrue(p != null, "set KTSTR_TEST_SCX=/path/to/scx_simple (or KTSTR_TEST_KERNEL=<kernel dir with scx/>) to run this test");
        assumeTrue(Files.isRegularFile(p), "KTSTR_TEST_SCX/KTSTR_TEST_KERNEL points at a missing scx_simple: " + p);
        return p;
    }

    public static Path ls() {
        return Path.of("/bin/ls");
    }
}
