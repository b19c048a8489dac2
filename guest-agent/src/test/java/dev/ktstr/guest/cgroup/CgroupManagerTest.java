package dev.ktstr.guest.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.guest.sys.CpuMask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupManagerTest {
    @TempDir
    Path tmp;
    FakeCgroupFs fs;
    List<String> warnings = new ArrayList<>();
    CgroupManager m;

    @BeforeEach
    void setUp() throws Exception {
        fs = new FakeCgroupFs(tmp);
        m = new CgroupManager(fs, tmp, "ktstr", CgroupManager.DEFAULT_CONTROLLERS, Duration.ofMillis(300), warnings::add);
    }

    @Test
    void setupEnablesControllersOnEveryAncestorAndParent() throws Exception {
        m.setup();
        assertThat(Files.readString(tmp.resolve("cgroup.subtree_control"))).contains("cpuset").contains("cpu");
        assertThat(Files.readString(tmp.resolve("ktstr/cgroup.subtree_control"))).contains("cpuset").contains("cpu");
    }

    @Test
    void nestedCreateEnablesIntermediatesAndIsIdempotent() throws Exception {
        m.setup();
        m.create("a/b/c");
        m.create("a/b/c");
        assertThat(Files.isDirectory(tmp.resolve("ktstr/a/b/c"))).isTrue();
        assertThat(Files.readString(tmp.resolve("ktstr/a/cgroup.subtree_control"))).contains("cpuset");
        assertThat(Files.readString(tmp.resolve("ktstr/a/b/cgroup.subtree_control"))).contains("cpuset");
        assertThat(Files.readString(tmp.resolve("ktstr/a/b/c/cgroup.subtree_control"))).isBlank();
    }

    @Test
    void cpusetWritesTheListFormat() throws Exception {
        m.setup();
        m.create("cg_0");
        m.setCpuset("cg_0", CpuMask.parseList("0-3,6"));
        assertThat(Files.readString(tmp.resolve("ktstr/cg_0/cpuset.cpus")).trim()).isEqualTo("0-3,6");
        m.clearCpuset("cg_0");
        assertThat(Files.readString(tmp.resolve("ktstr/cg_0/cpuset.cpus")).trim()).isEmpty();
        assertThatThrownBy(() -> m.setCpuset("cg_0", new java.util.BitSet())).hasMessageContaining("empty cpuset");
    }

    @Test
    void removeDrainsTasksToTheRootDepthFirst() throws Exception {
        m.setup();
        m.create("a/b");
        m.moveTask("a/b", 101);
        m.moveTask("a/b", 102);
        assertThat(fs.procs("ktstr/a/b")).containsExactly("101", "102");
        m.remove("a");
        assertThat(Files.exists(tmp.resolve("ktstr/a"))).isFalse();
        assertThat(fs.procs("")).contains("101", "102");
        m.remove("a"); // missing is fine
    }

    @Test
    void busyMoveIsRetriedThreeTimes() throws Exception {
        m.setup();
        m.create("x");
        fs.busyWrites.put(tmp.resolve("ktstr/x/cgroup.procs"), 3);
        assertThat(m.moveTask("x", 7)).isTrue();
        assertThat(fs.procs("ktstr/x")).containsExactly("7");
        fs.busyWrites.put(tmp.resolve("ktstr/x/cgroup.procs"), 4);
        assertThatThrownBy(() -> m.moveTask("x", 8)).isInstanceOf(CgroupException.class).hasMessageContaining("busy");
    }

    @Test
    void goneTaskIsSkippedWithAWarning() throws Exception {
        m.setup();
        m.create("x");
        fs.deadPids.add(55);
        assertThat(m.moveTasks("x", List.of(54, 55, 56))).isEqualTo(2);
        assertThat(warnings).anyMatch(w -> w.contains("55") && w.contains("ESRCH"));
    }

    @Test
    void aWedgedWriteFailsAtTheDeadlineInsteadOfHanging() throws Exception {
        m.setup();
        m.create("w");
        fs.blockingWrites.add(tmp.resolve("ktstr/w/cpuset.cpus"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> m.setCpuset("w", CpuMask.parseList("1")))
                .isInstanceOf(CgroupException.class).hasMessageContaining("did not finish within 300 ms");
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 2_000L);
    }

    @Test
    void closeRemovesWhatItCreatedAndCleanupAllRemovesTheParent() throws Exception {
        m.setup();
        m.create("p/q");
        m.create("r");
        m.close();
        assertThat(Files.exists(tmp.resolve("ktstr/p"))).isFalse();
        assertThat(Files.exists(tmp.resolve("ktstr/r"))).isFalse();
        CgroupManager m2 = new CgroupManager(fs, tmp, "ktstr", CgroupManager.DEFAULT_CONTROLLERS, Duration.ofMillis(300), warnings::add);
        m2.create("s/t");
        m2.cleanupAll();
        assertThat(Files.exists(tmp.resolve("ktstr"))).isFalse();
        m2.close();
    }

    @Test
    void badNamesAndMissingControllersAreExplained() throws Exception {
        assertThatThrownBy(() -> m.create("../etc")).hasMessageContaining("bad cgroup name");
        assertThatThrownBy(() -> m.create("/abs")).hasMessageContaining("bad cgroup name");
        Files.writeString(tmp.resolve("cgroup.controllers"), "cpu memory\n");
        assertThatThrownBy(() -> m.setup()).hasMessageContaining("controller 'cpuset' is not available");
    }

    @Test
    void cpuListParsingAndRendering() {
        assertThat(CpuMask.render(CpuMask.parseList("0-3,5,7-9"))).isEqualTo("0-3,5,7-9");
        assertThat(CpuMask.render(CpuMask.parseList(" 4 ,1-2"))).isEqualTo("1-2,4");
        assertThatThrownBy(() -> CpuMask.parseList("3-1")).hasMessageContaining("descending");
        assertThatThrownBy(() -> CpuMask.parseList("a")).hasMessageContaining("not a number");
    }
}
