package dev.ktstr.protocol.frame;

/**
 * Frame types on the guest agent channel. Codes are part of the wire format: never renumber.
 * Guest-to-host types are below 64, host-to-guest types from 64. Codes 8, 9, 11 and 12 (payload
 * metrics, samples, shell stdout/stderr) were defined but never sent and are retired: never reuse
 * them; a frame with such a code is an unknown type to the reader.
 */
public enum FrameType {
    /** Agent is up: JSON {@code Hello}. */
    HELLO(1),
    /** A log line from the agent or a guest component (UTF-8 text). */
    LOG(2),
    /** One worker's report at the end of a scenario phase (JSON). */
    WORKER_REPORT(3),
    /** A stimulus event (op applied, step started) with a guest timestamp (JSON). */
    STIMULUS(4),
    /** The test's verdict (JSON AssertResult). The last valid one wins. */
    RESULT(5),
    /** The agent is about to power off: JSON with the exit code. */
    EXIT(6),
    /** The scheduler process exited or was ejected (JSON with reason and log tail). */
    SCHED_EXIT(7),
    /** The agent crashed: text with the stack trace. */
    CRASH(10),
    /** Scenario phase started (JSON). */
    SCENARIO_START(13),
    /** Scenario phase ended (JSON). */
    SCENARIO_END(14),
    /** Where the guest's time went (JSON {@code GuestPhases}), sent once before EXIT. */
    PHASES(15),
    /** The work-conservation watchdog signalled the scheduler (JSON {@code WatchdogEvent}). */
    WATCHDOG(16),
    /** The BPF programs loaded once the scheduler attached (JSON list of {@code BpfProgram}): verifier stats. */
    BPF_PROGRAMS(17),
    /**
     * The sched_ext debug dump a {@link #HOST_SYSRQ_D} produced (UTF-8 text, the {@code sched_ext_dump}
     * tracepoint's lines), or why there is none.
     */
    SCHED_DUMP(18),
    /** Host asks the guest to shut down gracefully. */
    HOST_SHUTDOWN(64),
    /**
     * The host monitor saw a violation while a sched_ext scheduler was enabled: the guest triggers
     * SysRq-D (sched_ext's debug dump) once and answers with {@link #SCHED_DUMP}. Payload: the
     * violation, UTF-8 text.
     */
    HOST_SYSRQ_D(65);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static FrameType ofCode(int code) {
        for (FrameType t : values()) {
            if (t.code == code) return t;
        }
        return null;
    }
}
