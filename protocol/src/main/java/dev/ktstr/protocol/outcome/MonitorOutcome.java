package dev.ktstr.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ktstr.protocol.sidecar.MonitorSummary;
import java.util.List;
import java.util.Map;

/**
 * What the host-side monitor measured (guest RAM read via BTF offsets) and, when its checks ran,
 * what they found.
 *
 * @param metrics         nr_running aggregates, watchdog writes, tick figures (metric name to value)
 * @param problems        sampling problems (unreadable memory, ...), sanitised
 * @param scxSeen         a sched_ext scheduler was seen enabled
 * @param scxEnabledForMs how long sched_ext was enabled, null when never seen
 * @param checksRun       the monitor checks were evaluated (sched_ext seen, guest passed, not EEVDF)
 * @param passed          the checks' verdict; null when they did not run
 * @param summary         aggregates of the evaluated samples; null when the checks did not run
 * @param violations      what the checks found, one line each
 * @param note            why the checks did not run, or a caveat of the evaluation; null when none
 * @param schedDump       the sched_ext debug dump (SysRq-D) the guest took when the monitor first saw a
 *                        violation live, headed by that violation; null when none was taken
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record MonitorOutcome(Map<String, Double> metrics, List<String> problems, boolean scxSeen, Long scxEnabledForMs,
                             boolean checksRun, Boolean passed, MonitorSummary summary, List<String> violations, String note,
                             String schedDump) {
    public MonitorOutcome(Map<String, Double> metrics, List<String> problems, boolean scxSeen, Long scxEnabledForMs,
                          boolean checksRun, Boolean passed, MonitorSummary summary, List<String> violations, String note) {
        this(metrics, problems, scxSeen, scxEnabledForMs, checksRun, passed, summary, violations, note, null);
    }

    public MonitorOutcome {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        problems = problems == null ? List.of() : List.copyOf(problems);
        violations = violations == null ? List.of() : List.copyOf(violations);
    }

    /** True when the checks ran and failed. */
    public boolean failed() {
        return checksRun && Boolean.FALSE.equals(passed);
    }
}
