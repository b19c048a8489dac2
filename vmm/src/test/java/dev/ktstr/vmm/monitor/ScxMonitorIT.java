package dev.ktstr.vmm.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.vmm.qemu.QemuVm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With scx_simple attached: the monitor sees tasks on the sched_ext run queues, notices the
 * scheduler is enabled and replaces the kernel's watchdog timeout (30 s for scx_simple, which sets
 * no ops.timeout_ms) with the test's value without tripping the kernel's watchdog-work check-in.
 */
@org.junit.jupiter.api.extension.ExtendWith(RetryOnceOnTcgFlake.class)
class ScxMonitorIT {
    static final String INIT = "mount -t tmpfs tmpfs /tmp\n"
            + "scx_simple > /tmp/scx.log 2>&1 &\n"
            + "for i in $(seq 50); do [ \"$(cat /sys/kernel/sched_ext/state 2>/dev/null)\" = enabled ] && break; sleep 0.1; done\n"
            + "echo MON_SCX_STATE=$(cat /sys/kernel/sched_ext/state)\n"
            + "sleep 1\necho MON_LOAD_START\nfor i in 1 2 3 4; do (while :; do :; done) & done\nsleep 4\necho MON_LOAD_END\n"
            + "echo MON_SCX_STATE_AFTER=$(cat /sys/kernel/sched_ext/state); cat /tmp/scx.log | tail -5\n"
            + "kill $(jobs -p) 2>/dev/null; sleep 1\necho KTSTR_EXIT=0\npoweroff -f\n";

    @Test
    void scxRunQueuesAreSampledAndWatchdogOverrideIsApplied(@TempDir Path dir) throws Exception {
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "ktstr-mon-it-");
        Path initrd = TestKernel.initramfs(dir, INIT, TestKernel.scxFiles("scx_simple"));
        // MTTCG "Oops: int3" (at boot or right after the attach) is the platform's: booted once more, as the product does
        QemuVm.Outcome<ScxRun> out = QemuVm.runRetryingOnce(HostMonitorIT.spec(initrd, shm, "1,1,2,1"), vm -> {
            int loadStart = -1;
            int loadEnd = -1;
            MonitorConfig cfg = MonitorConfig.forVm(vm, TestKernel.systemMap(), TestKernel.btf(), TestKernel.config()).withWatchdogTimeout(2.5);
            HostMonitor mon = HostMonitor.start(cfg, MonitorListener.NONE);
            MonitorReport report;
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(80).toNanos();
                while (vm.isAlive() && System.nanoTime() < deadline && loadEnd < 0) {
                    String con = vm.consoleText();
                    if (loadStart < 0 && con.contains("MON_LOAD_START")) loadStart = mon.samples().size();
                    if (con.contains("MON_LOAD_END")) loadEnd = mon.samples().size();
                    Thread.sleep(20);
                }
            } finally {
                report = mon.stop();
            }
            vm.awaitExit();
            return new ScxRun(report, loadStart, loadEnd, vm.consoleText());
        });
        out.result().retriedAfter().forEach(f -> System.err.println("scx IT: booted again after " + f.exit().describe()));
        MonitorReport report = out.value().report();
        int loadStart = out.value().loadStart();
        int loadEnd = out.value().loadEnd();
        String console = out.value().console();
        Files.deleteIfExists(shm);
        System.out.println("scx IT console tail:\n" + console.lines().filter(l -> l.contains("MON_") || l.contains("sched_ext") || l.contains("scx"))
                .reduce("", (a, b) -> a + b + "\n"));
        for (MonitorSample s : report.samples().subList(Math.max(0, loadStart - 5), Math.min(report.samples().size(), loadStart + 15))) {
            System.out.println("  sample " + s.index() + ": " + s.cpus().stream().map(c -> c.nrRunning() + "/" + c.scxNrRunning() + "/" + c.localDsqDepth()
                    + "/f" + c.scxFlags()).toList());
        }
        assertThat(console).contains("MON_SCX_STATE=enabled");
        // The override must not kill the scheduler through the stale watchdog-work stamp (see ScxWatchdog#bridge)
        assertThat(console).doesNotContain("watchdog failed to check in").contains("MON_SCX_STATE_AFTER=enabled");
        assertThat(report.watchdogBridgeTicks()).isPositive();
        assertThat(report.problems()).isEmpty();
        assertThat(loadStart).isPositive();
        assertThat(loadEnd).isGreaterThan(loadStart + 20);
        assertThat(report.watchdogWrites()).as("override applied once the scheduler was enabled").isGreaterThanOrEqualTo(1);
        assertThat(report.watchdogJiffies()).isEqualTo(2500);
        List<MonitorSample> load = report.samples().subList(loadStart + 10, loadEnd);
        double scx = load.stream().mapToLong(s -> s.cpus().stream().mapToLong(CpuSnapshot::scxNrRunning).sum()).average().orElse(0);
        double all = HostMonitorIT.meanNr(load);
        System.out.printf("scx IT: mean Σscx.nr_running=%.2f Σnr_running=%.2f under 4 spinners, watchdog writes=%d value=%d bridged ticks=%d%n",
                scx, all, report.watchdogWrites(), report.watchdogJiffies(), report.watchdogBridgeTicks());
        assertThat(scx).isGreaterThanOrEqualTo(3.0);
        assertThat(all).isGreaterThanOrEqualTo(scx);
        MonitorVerdict v = MonitorChecks.evaluate(report.samples(), MonitorThresholds.DEFAULTS, report.preemptionThresholdNs());
        System.out.println("scx IT: " + v.line() + " " + v.violations() + " " + v.summary());
        assertThat(v.summary().samples()).isEqualTo(report.samples().size() - 20);
    }

    /**
     * scx_qmap -t 2 never runs every 2nd user task; its own timeout_ms is 5 s. With a 2 s override
     * the kernel must report the stall after 2.x s ("failed to run for 2.xxxs"), proving the
     * override governs the kernel's runnable-task check.
     */
    @Test
    void overriddenWatchdogCatchesAStallAfterTheOverrideNotTheSchedulersTimeout(@TempDir Path dir) throws Exception {
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "ktstr-mon-it-");
        String init = "mount -t tmpfs tmpfs /tmp\nscx_qmap -t 2 > /tmp/scx.log 2>&1 &\n"
                + "for i in $(seq 50); do [ \"$(cat /sys/kernel/sched_ext/state 2>/dev/null)\" = enabled ] && break; sleep 0.1; done\n"
                + "echo MON_SCX_STATE=$(cat /sys/kernel/sched_ext/state)\n"
                + "for i in 1 2 3 4; do (while :; do sleep 0.05; done) & done\n"
                + "for i in $(seq 150); do [ \"$(cat /sys/kernel/sched_ext/state)\" = disabled ] && break; sleep 0.1; done\n"
                + "echo MON_SCX_STATE_AFTER=$(cat /sys/kernel/sched_ext/state)\nkill $(jobs -p) 2>/dev/null\necho KTSTR_EXIT=0\npoweroff -f\n";
        Path initrd = TestKernel.initramfs(dir, init, TestKernel.scxFiles("scx_qmap"));
        QemuVm.Outcome<ScxRun> out = QemuVm.runRetryingOnce(HostMonitorIT.spec(initrd, shm, "1,1,2,1"), vm -> {
            MonitorConfig cfg = MonitorConfig.forVm(vm, TestKernel.systemMap(), TestKernel.btf(), TestKernel.config()).withWatchdogTimeout(2);
            HostMonitor mon = HostMonitor.start(cfg, MonitorListener.NONE);
            MonitorReport report;
            try {
                vm.awaitExit();
            } finally {
                report = mon.stop();
            }
            return new ScxRun(report, -1, -1, vm.consoleText());
        });
        out.result().retriedAfter().forEach(f -> System.err.println("qmap IT: booted again after " + f.exit().describe()));
        MonitorReport report = out.value().report();
        String console = out.value().console();
        Files.deleteIfExists(shm);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("failed to run for (\\d+)\\.(\\d{3})s").matcher(console);
        System.out.println("qmap IT: " + console.lines().filter(l -> l.contains("sched_ext") || l.contains("MON_")).toList()
                + " writes=" + report.watchdogWrites() + " value=" + report.watchdogJiffies() + " bridged=" + report.watchdogBridgeTicks());
        // (the guest's own state probe may itself be one of the stalled tasks, so only the kernel's words count)
        assertThat(console).contains("BPF scheduler \"qmap\" disabled (runnable task stall)");
        assertThat(report.watchdogJiffies()).isEqualTo(2000);
        assertThat(m.find()).as("kernel reported a runnable-task stall").isTrue();
        double stalled = Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) / 1000.0;
        assertThat(stalled).as("stall reported after the 2 s override, well before qmap's own 5 s").isBetween(2.0, 4.0);
    }

    private record ScxRun(MonitorReport report, int loadStart, int loadEnd, String console) {}
}
