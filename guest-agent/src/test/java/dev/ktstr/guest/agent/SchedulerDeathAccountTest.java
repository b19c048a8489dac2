package dev.ktstr.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.guest.Deadlines;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.guest.SchedulerLaunch;
import dev.ktstr.protocol.guest.WatchdogEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerDeathAccountTest {
    @TempDir
    Path tmp;

    private static final WatchdogEvent GAP = new WatchdogEvent("cg_0", 0, 812, 2400, 1, 2000, 0, 12_340);

    @Test
    void exitStatusNamesTheSignal() {
        assertThat(SchedulerDeathAccount.exitStatus(1)).isEqualTo("exited with 1");
        assertThat(SchedulerDeathAccount.exitStatus(0)).isEqualTo("exited with 0");
        assertThat(SchedulerDeathAccount.exitStatus(140)).isEqualTo("was killed by SIGUSR2 (signal 12; exit status 140)");
        assertThat(SchedulerDeathAccount.exitStatus(139)).isEqualTo("was killed by SIGSEGV (signal 11; exit status 139)");
        assertThat(SchedulerDeathAccount.exitStatus(137)).isEqualTo("was killed by SIGKILL (signal 9; exit status 137)");
        assertThat(SchedulerDeathAccount.exitStatus(128 + 36)).isEqualTo("was killed by SIGRTMIN+2 (signal 36; exit status 164)");
        assertThat(SchedulerDeathAccount.exitStatus(128)).isEqualTo("exited with 128");
    }

    @Test
    void aDeathByTheWatchdogsSignalIsTheHarnesssDoing() {
        String d = SchedulerDeathAccount.explain("the scheduler process was killed by SIGUSR2 (signal 12; exit status 140) during the test",
                140, List.of(GAP), 1);
        assertThat(d).startsWith("killed by the harness's work-conservation watchdog after a 2400 ms gap on CPU 1 "
                + "(worker 0 of cgroup cg_0, SIGUSR2 at 12.3 s; threshold 2000 ms)");
        assertThat(SchedulerDeathAccount.explain("x", 140, List.of(GAP, GAP), 5)).contains("the watchdog fired 5 times");
    }

    @Test
    void anotherDeathAfterTheSignalSaysBothAndAnUnsignalledDeathIsUntouched() {
        assertThat(SchedulerDeathAccount.explain("d", 0, List.of(GAP), 1))
                .startsWith("the scheduler exited with 0 after the harness's work-conservation watchdog sent it SIGUSR2 after a 2400 ms gap");
        assertThat(SchedulerDeathAccount.explain("sched_ext state went to 'disabled' while the scheduler process runs", -1, List.of(GAP), 1))
                .startsWith("sched_ext state went to 'disabled' while the scheduler process runs; the harness's work-conservation watchdog had sent");
        assertThat(SchedulerDeathAccount.explain("the scheduler process exited with 1", 1, List.of(), 0)).isEqualTo("the scheduler process exited with 1");
    }

    /** A fake scheduler that attaches (fake sysfs) and does not handle SIGUSR2, signalled the way the lead's worker code does. */
    @Test
    void supervisorReportsAWatchdogKillInItsDeath() throws Exception {
        Path ext = tmp.resolve("sched_ext");
        Path s = tmp.resolve("fake_sched");
        Files.writeString(s, "#!/bin/sh\nmkdir -p " + ext + "/root; echo enabled > " + ext + "/state; echo fake > " + ext
                + "/root/ops; echo attached; exec sleep 30\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        RecordingSink sink = new RecordingSink();
        try (SchedulerSupervisor sup = new SchedulerSupervisor(SchedulerLaunch.binary("fake", s.toString(), List.of()),
                new Deadlines(200, 2_000, 2_000, 30_000, 5_000, 30_000), sink, tmp.resolve("sched.log"), ext)) {
            assertThat(sup.start()).isNull();
            sup.recordWatchdog(new WatchdogEvent("cg_0", 0, 812, 2400, 1, 2000, 999_999, 1_000)); // another pid: ignored
            assertThat(sup.watchdogEvents()).isEmpty();
            sup.recordWatchdog(new WatchdogEvent("cg_0", 0, 812, 2400, 1, 2000, sup.pid(), 12_340));
            Process kill = new ProcessBuilder("kill", "-USR2", Integer.toString(sup.pid())).start();
            assertThat(kill.waitFor()).isZero();
            long end = System.nanoTime() + 5_000_000_000L;
            while (sup.check() && System.nanoTime() < end) Thread.sleep(20);
            SchedExit d = sup.death();
            assertThat(d).isNotNull();
            assertThat(d.exitCode()).isEqualTo(140);
            assertThat(d.detail()).startsWith("killed by the harness's work-conservation watchdog after a 2400 ms gap on CPU 1 "
                    + "(worker 0 of cgroup cg_0, SIGUSR2 at 12.3 s; threshold 2000 ms)")
                    .contains("was killed by SIGUSR2 (signal 12; exit status 140)");
        }
    }

    @Test
    void supervisorNamesTheSignalWithoutAWatchdogEvent() throws Exception {
        Path ext = tmp.resolve("sched_ext");
        Path s = tmp.resolve("fake_sched");
        Files.writeString(s, "#!/bin/sh\nmkdir -p " + ext + "/root; echo enabled > " + ext + "/state; echo fake > " + ext
                + "/root/ops; exec sleep 30\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (SchedulerSupervisor sup = new SchedulerSupervisor(SchedulerLaunch.binary("fake", s.toString(), List.of()),
                new Deadlines(200, 2_000, 2_000, 30_000, 5_000, 30_000), new RecordingSink(), tmp.resolve("sched.log"), ext)) {
            assertThat(sup.start()).isNull();
            assertThat(new ProcessBuilder("kill", "-SEGV", Integer.toString(sup.pid())).start().waitFor()).isZero();
            long end = System.nanoTime() + 5_000_000_000L;
            while (sup.check() && System.nanoTime() < end) Thread.sleep(20);
            assertThat(sup.death().detail()).isEqualTo("the scheduler process was killed by SIGSEGV (signal 11; exit status 139) during the test");
        }
    }
}
