package dev.ktstr.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ktstr.protocol.guest.BpfProgram;
import dev.ktstr.protocol.guest.ExitInfo;
import dev.ktstr.protocol.guest.GuestPhases;
import dev.ktstr.protocol.guest.Hello;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.guest.Stimulus;
import dev.ktstr.protocol.guest.WatchdogEvent;
import dev.ktstr.protocol.sidecar.HostContext;
import java.util.List;

/**
 * Everything one VM job produced, as the worker saw it: what the guest said (untrusted, bound to
 * the guest's own frame records), how the VM ended, what the host monitor measured, where the VM
 * was pinned, and the logs. It travels in {@code JobResult} to the coordinator, which decides the
 * verdict and writes the sidecar from it; nothing downstream re-derives these facts. A fact that
 * was not observed is null (or an empty list), never a placeholder.
 *
 * <p>{@code guestResult} and {@code workerReports} are the guest's {@code AssertResult} and
 * {@code WorkerReport} JSON: those types belong to {@code scenario}, which this module must not
 * depend on, so they stay trees here (as {@code GuestJob.assertConfig} does) and the coordinator binds them.
 *
 * @param vm              how the VM ran and ended; null when no VM was started (skipped before boot)
 * @param hello           the agent's HELLO, null when it never spoke
 * @param guestResult     the RESULT frame (scenario {@code AssertResult} JSON), null when none came
 * @param guestExit       the EXIT frame
 * @param schedExit       the SCHED_EXIT frame (the scheduler stopped being in charge)
 * @param crash           the CRASH frame's text (agent crash), sanitised
 * @param workerReports   WORKER_REPORT frames (scenario {@code WorkerReport} JSON), in arrival order
 * @param stimuli         STIMULUS frames, in arrival order
 * @param guestPhases     the PHASES frame
 * @param watchdogEvents  WATCHDOG frames
 * @param monitor         the host monitor, null when it did not start (see {@code monitorOff})
 * @param monitorOff      why the host monitor did not run, null when it ran
 * @param perf            performance-mode pinning and memory backing, null when performance mode was off
 * @param channelProblems what was wrong with the guest data channel (bad frames, early close), sanitised
 * @param logs            console, guest agent and scheduler logs, capped
 * @param initramfs       sizes of the initramfs the VM booted
 * @param host            the worker host the VM ran on
 * @param skipReason      why the job was skipped before boot (performance mode), else null
 * @param bpfPrograms     the BPF_PROGRAMS frame: programs loaded once the scheduler attached (verifier stats),
 *                        at most {@link BpfProgram#MAX_REPORTED}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record VmOutcome(
        VmRun vm,
        Hello hello,
        JsonNode guestResult,
        ExitInfo guestExit,
        SchedExit schedExit,
        String crash,
        List<JsonNode> workerReports,
        List<Stimulus> stimuli,
        GuestPhases guestPhases,
        List<WatchdogEvent> watchdogEvents,
        MonitorOutcome monitor,
        String monitorOff,
        PerfPinning perf,
        List<String> channelProblems,
        VmLogs logs,
        InitramfsStats initramfs,
        HostContext host,
        String skipReason,
        List<BpfProgram> bpfPrograms) {

    public VmOutcome {
        bpfPrograms = bpfPrograms == null ? List.of()
                : List.copyOf(bpfPrograms.subList(0, Math.min(bpfPrograms.size(), BpfProgram.MAX_REPORTED)));
        guestResult = guestResult == null || guestResult.isNull() ? null : guestResult; // JSON null reads back as a NullNode
        workerReports = workerReports == null ? List.of() : List.copyOf(workerReports);
        stimuli = stimuli == null ? List.of() : List.copyOf(stimuli);
        watchdogEvents = watchdogEvents == null ? List.of() : List.copyOf(watchdogEvents);
        channelProblems = channelProblems == null ? List.of() : List.copyOf(channelProblems);
    }

    /** An outcome without BPF program stats (recorded before they existed, or no scheduler attached). */
    public VmOutcome(VmRun vm, Hello hello, JsonNode guestResult, ExitInfo guestExit, SchedExit schedExit, String crash,
                     List<JsonNode> workerReports, List<Stimulus> stimuli, GuestPhases guestPhases, List<WatchdogEvent> watchdogEvents,
                     MonitorOutcome monitor, String monitorOff, PerfPinning perf, List<String> channelProblems, VmLogs logs,
                     InitramfsStats initramfs, HostContext host, String skipReason) {
        this(vm, hello, guestResult, guestExit, schedExit, crash, workerReports, stimuli, guestPhases, watchdogEvents, monitor,
                monitorOff, perf, channelProblems, logs, initramfs, host, skipReason, List.of());
    }

    /**
     * Prefix of the summary problem the worker records when the guest data channel's byte stream was
     * damaged (bad magic, header, length or checksum): frames may be missing, so the verdict must not
     * rest on the stream alone.
     */
    public static final String CHANNEL_DAMAGED = "data channel damaged: ";

    /** Whether the data channel's byte stream was damaged (see {@link #CHANNEL_DAMAGED}). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean channelDamaged() {
        return channelProblems.stream().anyMatch(p -> p.startsWith(CHANNEL_DAMAGED));
    }

    /** A job skipped before any VM started. */
    public static VmOutcome skipped(String reason, HostContext host) {
        return new VmOutcome(null, null, null, null, null, null, List.of(), List.of(), null, List.of(), null, null, null,
                List.of(), null, null, host, reason);
    }
}
