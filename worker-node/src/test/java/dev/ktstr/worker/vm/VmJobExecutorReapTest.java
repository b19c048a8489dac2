package dev.ktstr.worker.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.host.LeftoverReaper;
import dev.ktstr.host.OwnedTempFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a worker or local-mode start reaps: the three kinds of entry a VM job makes, a dead owner's only. */
class VmJobExecutorReapTest {
    @TempDir
    Path tmp;

    @Test
    void aDeadOwnersRunDirJobDirAndSharedRamGoAndThisJvmsStay() throws Exception {
        String dead = unusedPid() + "-4242-1";
        Path runDir = Files.createDirectories(tmp.resolve("ktstr-vm-" + dead).resolve("sub"));
        Path jobDir = Files.createDirectory(tmp.resolve("ktstr-job-" + dead));
        Files.createSymbolicLink(jobDir.resolve("test-0.jar"), runDir);
        Path ram = Files.createDirectory(VmJobExecutor.SHARED_MEMORY_ROOT.resolve("ktstr-ram-" + dead));
        Path myJob = OwnedTempFiles.createDirectory(tmp, VmJobExecutor.JOB_DIR_PREFIX);
        String saved = System.getProperty("java.io.tmpdir");
        List<String> log = new ArrayList<>();
        LeftoverReaper.Result r;
        try {
            System.setProperty("java.io.tmpdir", tmp.toString());
            r = VmJobExecutor.reapLeftovers(log::add);
        } finally {
            System.setProperty("java.io.tmpdir", saved);
            if (Files.exists(ram)) Files.delete(ram);
        }
        assertThat(runDir.getParent()).doesNotExist();
        assertThat(jobDir).doesNotExist();
        assertThat(ram).doesNotExist();
        assertThat(myJob).isDirectory();
        assertThat(r.deadOwners()).contains(runDir.getParent(), jobDir, ram);
        assertThat(log).hasSize(1);
        assertThat(log.get(0)).startsWith("reaped ").contains("leftovers of dead ktstr processes: ").contains(jobDir.toString());
    }

    /** A pid no process has now, scanned down from pid_max. */
    private static long unusedPid() throws java.io.IOException {
        long max = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip());
        for (long p = max - 1; p > 1; p--) if (!Files.exists(Path.of("/proc", Long.toString(p)))) return p;
        throw new AssertionError("no free pid");
    }
}
