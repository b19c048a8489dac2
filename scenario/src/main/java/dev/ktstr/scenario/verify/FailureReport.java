package dev.ktstr.scenario.verify;

import dev.ktstr.protocol.topology.Topology;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The failure text of spec §4.7:
 * <pre>
 * ktstr_test 'name' [sched=scx_qmap] [topo=1n2l2c1t] failed:
 *   detail message
 *   ...
 * --- stats ---
 * 4 workers, 4 cpus, 3 migrations, worst_spread=12.5%, worst_gap=40ms
 *   cg_0: workers=2 cpus=2 spread=12.5% gap=40ms migrations=3 iter=1234
 * --- diagnostics ---
 * ...
 * </pre>
 * The {@code [sched=..]} part is left out for EEVDF. Optional sections appear in {@link Section}
 * order when given. A monitor-only failure ends the header with "monitor failed after scenario:".
 */
public final class FailureReport {

    /** Optional sections after the stats, in the order they are printed. */
    public enum Section {
        DIAGNOSTICS("diagnostics"), TIMELINE("timeline"), SCHEDULER_LOG("scheduler log"), MONITOR("monitor"),
        SCHED_EXT_DUMP("sched_ext dump"), AUTO_REPRO("auto-repro"), GUEST_LOG("guest log (last lines)"),
        CONSOLE("console (last lines)");

        final String title;

        Section(String title) {
            this.title = title;
        }
    }

    private final String testName;
    private final Topology topology;
    private String schedulerDisplay;
    private AssertResult result = AssertResult.pass();
    private boolean monitorOnly;
    private String fingerprint;
    private final Map<Section, String> sections = new EnumMap<>(Section.class);

    private FailureReport(String testName, Topology topology) {
        this.testName = testName;
        this.topology = topology;
    }

    public static FailureReport of(String testName, Topology topology) {
        return new FailureReport(testName, topology);
    }

    /** Display name of the scheduler; {@code null} or {@code eevdf} omits the sched tag. */
    public FailureReport scheduler(String display) { this.schedulerDisplay = display; return this; }
    public FailureReport result(AssertResult r) { this.result = r; return this; }
    public FailureReport monitorOnly(boolean b) { this.monitorOnly = b; return this; }
    /** A one-line summary printed before the header (the BUG SUMMARY line: the first error a reader needs). */
    public FailureReport fingerprint(String line) { this.fingerprint = line; return this; }
    /** Adds a section; blank text is ignored. */
    public FailureReport section(Section s, String text) {
        if (text != null && !text.isBlank()) sections.put(s, text);
        return this;
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        if (fingerprint != null && !fingerprint.isBlank()) sb.append(fingerprint.strip()).append('\n');
        sb.append("ktstr_test '").append(testName).append('\'');
        if (schedulerDisplay != null && !schedulerDisplay.equals("eevdf")) sb.append(" [sched=").append(schedulerDisplay).append(']');
        if (topology != null) sb.append(" [topo=").append(topology.render()).append(']');
        sb.append(monitorOnly ? " monitor failed after scenario:" : " failed:").append('\n');
        for (AssertDetail d : result.details()) {
            for (String line : d.message().split("\n", -1)) sb.append("  ").append(line).append('\n');
        }
        ScenarioStats s = result.stats();
        if (!s.cgroups().isEmpty()) {
            sb.append("--- stats ---\n");
            sb.append(String.format(Locale.ROOT, "%d workers, %d cpus, %d migrations, worst_spread=%.1f%%, worst_gap=%dms\n",
                    s.totalWorkers(), s.totalCpus(), s.totalMigrations(), s.worstSpread(), s.worstGapMs()));
            for (CgroupStats c : s.cgroups()) {
                sb.append(String.format(Locale.ROOT, "  %s: workers=%d cpus=%d spread=%.1f%% gap=%dms migrations=%d iter=%d\n",
                        c.cgroup(), c.numWorkers(), c.numCpus(), c.spread(), c.maxGapMs(), c.totalMigrations(), c.totalIterations()));
            }
        }
        for (Map.Entry<Section, String> e : sections.entrySet()) {
            sb.append("--- ").append(e.getKey().title).append(" ---\n");
            sb.append(e.getValue().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
