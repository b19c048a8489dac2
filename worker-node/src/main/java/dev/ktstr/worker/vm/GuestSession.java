package dev.ktstr.worker.vm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.guest.BpfProgram;
import dev.ktstr.protocol.guest.ExitInfo;
import dev.ktstr.protocol.guest.GuestPhases;
import dev.ktstr.protocol.guest.Hello;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.guest.Stimulus;
import dev.ktstr.protocol.guest.WatchdogEvent;
import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameCodec;
import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.outcome.VmOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything the guest agent sent during one boot, read from the untrusted data channel. Each frame
 * is bound to its protocol record (plain data, no behaviour); the guest result and worker reports
 * stay JSON trees because their types belong to {@code scenario} (the coordinator binds them). A
 * malformed payload becomes a recorded problem instead of an exception.
 */
final class GuestSession {
    static final int MAX_LOG_LINES = 2_000;
    static final int MAX_PROBLEMS = 50;
    /**
     * Largest frame the host accepts from a guest. The agent's biggest frames are RESULT and worker
     * reports (a few MiB with long migration lists); anything larger is damage or a runaway guest,
     * and would cost the worker that much heap per VM.
     */
    static final int MAX_FRAME_BYTES = 16 << 20;
    /** Worker reports kept per VM; more is a runaway scenario, recorded as a problem. */
    static final int MAX_WORKER_REPORTS = 4_096;
    /** Stimulus events kept per VM; more is a runaway scenario, recorded as a problem. */
    static final int MAX_STIMULI = 20_000;
    /** Payload bytes kept in worker reports and stimuli per VM, so many mid-size frames cannot fill the heap either. */
    static final long MAX_RETAINED_BYTES = 64L << 20;

    private final ObjectMapper json;
    private final long startNanos = System.nanoTime();

    Hello hello;
    long helloAtMs = -1;
    JsonNode result;
    long resultAtMs = -1;
    ExitInfo exit;
    long exitAtMs = -1;
    SchedExit schedExit;
    GuestPhases phases;
    final List<WatchdogEvent> watchdog = new ArrayList<>();
    final List<BpfProgram> bpfPrograms = new ArrayList<>();
    String crash;
    /** The SCHED_DUMP frame: sched_ext's SysRq-D dump, sanitised and capped. */
    String schedDump;
    long scenarioStartAtMs = -1;
    long scenarioEndAtMs = -1;
    final List<JsonNode> workerReports = new ArrayList<>();
    final List<Stimulus> stimuli = new ArrayList<>();
    final List<String> logs = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    int droppedLogs;
    /** Frames dropped because a per-VM cap was hit, by frame type. */
    final java.util.Map<FrameType, Integer> droppedFrames = new java.util.EnumMap<>(FrameType.class);
    private long retainedBytes;
    private int damage;
    private int unlistedProblems;

    GuestSession(ObjectMapper json) {
        // a newer agent may add fields: the ones this host knows still bind
        this.json = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** Reads frames until the guest closes the channel (power-off) or the VM is stopped. */
    void readAll(InputStream in, Consumer<String> liveLog) {
        FrameCodec.Reader reader = new FrameCodec.Reader(in, (off, p) -> {
            damage++;
            problem("data channel offset " + off + ": " + p);
        }, MAX_FRAME_BYTES);
        try {
            for (Frame f; (f = reader.next()) != null; ) {
                accept(f, liveLog);
            }
        } catch (IOException e) {
            // QEMU closing the socket mid-read is how a killed VM looks from here.
            problem("data channel closed: " + e.getMessage());
        }
        finish(reader.skippedBytes());
    }

    /** Summary lines that must survive the problem cap: the verdict reads them. */
    void finish(long skippedBytes) {
        droppedFrames.forEach((t, n) -> problems.add(Sanitize.line("data channel limit: " + n + " " + t + " frames dropped (per-VM cap "
                + (t == FrameType.STIMULUS ? MAX_STIMULI : MAX_WORKER_REPORTS) + " frames / " + (MAX_RETAINED_BYTES >> 20) + " MiB)")));
        if (damage > 0) {
            problems.add(VmOutcome.CHANNEL_DAMAGED + damage + " problems in the byte stream, " + skippedBytes
                    + " bytes skipped while resynchronising" + (unlistedProblems > 0 ? ", " + unlistedProblems + " problems not listed" : "")
                    + "; frames may be missing");
        }
    }

    private void accept(Frame f, Consumer<String> liveLog) {
        long at = (System.nanoTime() - startNanos) / 1_000_000;
        switch (f.type()) {
            case HELLO -> { hello = bind(f, Hello.class); helloAtMs = at; }
            case LOG -> {
                String line = Sanitize.line(f.payloadText());
                if (logs.size() < MAX_LOG_LINES) logs.add(line); else droppedLogs++;
                if (liveLog != null) liveLog.accept(line);
            }
            case WORKER_REPORT -> { if (keep(f, workerReports.size(), MAX_WORKER_REPORTS)) add(workerReports, f, JsonNode.class); }
            case STIMULUS -> { if (keep(f, stimuli.size(), MAX_STIMULI)) add(stimuli, f, Stimulus.class); }
            case RESULT -> { JsonNode n = bind(f, JsonNode.class); if (n != null && n.isObject()) { result = n; resultAtMs = at; } }
            case EXIT -> { exit = bind(f, ExitInfo.class); exitAtMs = at; }
            case SCHED_EXIT -> schedExit = bind(f, SchedExit.class);
            case SCHED_DUMP -> schedDump = Sanitize.tail(Sanitize.block(f.payloadText(), 700), 96 * 1024);
            case CRASH -> crash = Sanitize.block(f.payloadText(), 200);
            case SCENARIO_START -> { if (scenarioStartAtMs < 0) scenarioStartAtMs = at; }
            case SCENARIO_END -> scenarioEndAtMs = at;
            case PHASES -> phases = bind(f, GuestPhases.class);
            case WATCHDOG -> { if (watchdog.size() < MAX_PROBLEMS) add(watchdog, f, WatchdogEvent.class); }
            case BPF_PROGRAMS -> bpfPrograms(f);
            default -> problem("unexpected " + f.type() + " frame from the guest");
        }
    }

    /** The last listing wins (one per attach); entries past the cap and nameless ones are dropped. */
    private void bpfPrograms(Frame f) {
        BpfProgram[] list = bind(f, BpfProgram[].class);
        if (list == null) return;
        bpfPrograms.clear();
        for (BpfProgram p : list) {
            if (bpfPrograms.size() >= BpfProgram.MAX_REPORTED) { problem("BPF_PROGRAMS frame lists over " + BpfProgram.MAX_REPORTED + " programs"); break; }
            if (p == null || p.name() == null || p.verifiedInsns() < 0) continue;
            bpfPrograms.add(new BpfProgram(p.id(), Sanitize.line(p.name()), p.type() == null ? null : Sanitize.line(p.type()),
                    p.verifiedInsns(), p.xlatedBytes(), p.jitedBytes()));
        }
    }

    /** Whether a list frame fits this VM's caps; a dropped one is counted and reported in {@link #finish}. */
    private boolean keep(Frame f, int have, int max) {
        if (have >= max || retainedBytes + f.payload().length > MAX_RETAINED_BYTES) {
            droppedFrames.merge(f.type(), 1, Integer::sum);
            return false;
        }
        retainedBytes += f.payload().length;
        return true;
    }

    private <T> void add(List<T> list, Frame f, Class<T> type) {
        T n = bind(f, type);
        if (n != null) list.add(n);
    }

    private <T> T bind(Frame f, Class<T> type) {
        try {
            T v = json.readValue(f.payload(), type);
            if (v == null) problem("empty " + f.type() + " frame");
            return v;
        } catch (IOException e) {
            problem("malformed " + f.type() + " frame (" + f.payload().length + " bytes): " + e.getMessage());
            return null;
        }
    }

    private void problem(String p) {
        if (problems.size() < MAX_PROBLEMS) problems.add(Sanitize.line(p)); else unlistedProblems++;
    }
}
