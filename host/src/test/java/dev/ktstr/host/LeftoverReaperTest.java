package dev.ktstr.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.host.OwnedTempFiles.Owner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoverReaperTest {
    static final String PREFIX = "ktstr-vm-";

    @TempDir
    Path dir;
    @TempDir
    Path outside;
    final List<Process> started = new ArrayList<>();

    @AfterEach
    void killStarted() {
        started.forEach(Process::destroyForcibly);
    }

    private Path entry(Owner o, String rest) throws Exception {
        Path d = Files.createDirectory(dir.resolve(PREFIX + o.pid() + "-" + o.startTicks() + "-" + rest));
        Fixtures.touch(d.resolve("console.log"));
        Fixtures.touch(d.resolve("sub/deeper/file"));
        return d;
    }

    private static Owner dead() {
        return new Owner(Fixtures.unusedPid(), 12345);
    }

    @Test
    void aLiveOwnersEntryStaysAndDeadOnesGo() throws Exception {
        Owner me = Owner.current();
        Path mine = OwnedTempFiles.createDirectory(dir, PREFIX);
        Path goneProcess = entry(dead(), "1");
        Path recycledPid = entry(new Owner(me.pid(), me.startTicks() + 7), "2");

        LeftoverReaper.Result r = LeftoverReaper.reap(dir, PREFIX);

        assertThat(mine).isDirectory();
        assertThat(goneProcess).doesNotExist();
        assertThat(recycledPid).doesNotExist();
        assertThat(r.deadOwners()).containsExactlyInAnyOrder(goneProcess, recycledPid);
        assertThat(r.legacy()).isEmpty();
        assertThat(r.summary()).hasValueSatisfying(s -> assertThat(s)
                .startsWith("reaped 2 leftovers of dead ktstr processes: ").contains(goneProcess.toString()));
    }

    @Test
    void malformedAndForeignNamesAreLeftAlone() throws Exception {
        List<Path> keep = new ArrayList<>();
        for (String n : new String[] {"ktstr-vm-abc", "ktstr-vm-1-x-y", "ktstr-vm-", "ktstr-job-1-2-3", "other", "ktstr-vm-0-1-2"}) {
            Path p = Files.createDirectory(dir.resolve(n));
            Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
            keep.add(p);
        }
        LeftoverReaper.Result r = LeftoverReaper.reap(dir, PREFIX);
        keep.forEach(p -> assertThat(p).isDirectory());
        assertThat(r.removed()).isZero();
        assertThat(r.summary()).isEmpty();
    }

    @Test
    void oldUnownedNamesGoOnlyWhenUnchangedForAnHour() throws Exception {
        Path young = Files.createDirectory(dir.resolve(PREFIX + "123456789"));
        Path old = Files.createDirectory(dir.resolve(PREFIX + "987654321"));
        Path oldPidForm = Files.createDirectory(dir.resolve(PREFIX + "42-987654321"));
        for (Path p : List.of(old, oldPidForm)) Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofMinutes(61))));

        LeftoverReaper.Result r = LeftoverReaper.reap(dir, PREFIX);

        assertThat(young).isDirectory();
        assertThat(old).doesNotExist();
        assertThat(oldPidForm).doesNotExist();
        assertThat(r.legacy()).containsExactlyInAnyOrder(old, oldPidForm);
        assertThat(r.summary().orElseThrow()).contains("2 in the old un-owned name format");
    }

    @Test
    void anOldUnownedRunDirAQemuStillUsesStays() throws Exception {
        Path old = Files.createDirectory(dir.resolve(PREFIX + "555"));
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(5))));
        Process user = sleeper(ProcessHandle.current().pid(), old);

        LeftoverReaper.Result r = LeftoverReaper.reap(dir, PREFIX);

        assertThat(old).isDirectory();
        assertThat(user.isAlive()).isTrue();
        assertThat(r.removed()).isZero();
    }

    @Test
    void aProcessRunningForADeadOwnersVmIsKilledBeforeItsDirGoes() throws Exception {
        Owner gone = dead();
        Path e = entry(gone, "9");
        Process orphan = sleeper(gone.pid(), e);
        Process otherOwner = sleeper(ProcessHandle.current().pid(), e); // names the dir but not the dead owner: not ours to kill
        Process unrelated = new ProcessBuilder("sleep", "300").start();
        started.add(unrelated);

        LeftoverReaper.Result r = LeftoverReaper.reap(dir, PREFIX);

        assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).as("orphan killed").isTrue();
        assertThat(r.killedPids()).containsExactly(orphan.pid());
        assertThat(otherOwner.isAlive()).isTrue();
        assertThat(unrelated.isAlive()).isTrue();
        assertThat(e).doesNotExist();
        assertThat(r.summary().orElseThrow()).contains("killed QEMU of a dead owner: pid [" + orphan.pid() + "]");
    }

    @Test
    void linksAreRemovedNotFollowed() throws Exception {
        Path target = Fixtures.touch(outside.resolve("test.jar"));
        Path e = entry(dead(), "3");
        Files.createSymbolicLink(e.resolve("test-0.jar"), target);
        Files.createSymbolicLink(e.resolve("dirlink"), outside);

        LeftoverReaper.reap(dir, PREFIX);

        assertThat(e).doesNotExist();
        assertThat(target).isRegularFile();
    }

    @Test
    void aMissingRootIsNothingToReap() {
        assertThat(LeftoverReaper.reap(dir.resolve("absent"), PREFIX)).isEqualTo(LeftoverReaper.Result.NONE);
    }

    @Test
    void filesWithASuffixAndACustomLegacyFormGoToo() throws Exception {
        Owner gone = dead();
        Path part = Fixtures.touch(dir.resolve("part-" + gone.pid() + "-" + gone.startTicks() + "-77-0123456789ab.part"));
        Path mine = OwnedTempFiles.createFile(dir, "part-", "-0123456789ab.part");
        Path oldPart = Fixtures.touch(dir.resolve("0123456789ab-4242.part"));
        Files.setLastModifiedTime(oldPart, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

        LeftoverReaper.Result r = LeftoverReaper.reap(dir, "part-", n -> n.matches("[0-9a-f]{12}-[0-9]+\\.part"),
                LeftoverReaper.LEGACY_MAX_AGE);

        assertThat(part).doesNotExist();
        assertThat(oldPart).doesNotExist();
        assertThat(mine).isRegularFile();
        assertThat(r.removed()).isEqualTo(2);
    }

    /** A stand-in for QEMU: the environment QemuLaunch gives it. */
    private Process sleeper(long ownerPid, Path runDir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sleep", "300");
        pb.environment().put(LeftoverReaper.OWNER_PID_ENV, Long.toString(ownerPid));
        pb.environment().put(LeftoverReaper.RUN_DIR_ENV, runDir.toString());
        Process p = pb.start();
        started.add(p);
        return p;
    }
}
