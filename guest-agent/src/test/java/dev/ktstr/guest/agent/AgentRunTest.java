package dev.ktstr.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameCodec;
import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.guest.Deadlines;
import dev.ktstr.protocol.guest.WorkConservationWatchdog;
import dev.ktstr.protocol.guest.ExitInfo;
import dev.ktstr.protocol.guest.GuestJob;
import dev.ktstr.protocol.guest.Hello;
import dev.ktstr.protocol.guest.SchedExit;
import dev.ktstr.protocol.guest.SchedulerLaunch;
import dev.ktstr.protocol.guest.Stimulus;
import dev.ktstr.scenario.report.ReportJson;
import dev.ktstr.scenario.report.WorkerReport;
import dev.ktstr.scenario.verify.AssertResult;
import dev.ktstr.scenario.verify.DetailKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent end to end on the host (no VM, no cgroups): frames are encoded, decoded and checked. */
class AgentRunTest {
    @TempDir
    Path tmp;

    private List<Frame> run(GuestJob job) throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(wire, msg -> { throw new AssertionError(msg); });
        Files.createDirectories(tmp.resolve("sched_ext"));
        Agent a = new Agent(w, new Agent.Options(false, tmp.resolve("run"), tmp.resolve("sched.log"), tmp.resolve("sched_ext")), 42);
        a.hello();
        int code = a.run(job);
        assertThat(w.close(Duration.ofSeconds(5))).isTrue();
        List<Frame> frames = new ArrayList<>();
        FrameCodec.Reader r = new FrameCodec.Reader(new ByteArrayInputStream(wire.toByteArray()), (o, p) -> { throw new AssertionError(p); });
        for (Frame f; (f = r.next()) != null; ) frames.add(f);
        assertThat(frames.get(0).type()).isEqualTo(FrameType.HELLO);
        Frame last = frames.get(frames.size() - 1);
        assertThat(last.type()).isEqualTo(FrameType.EXIT);
        assertThat(ReportJson.read(last.payloadText(), ExitInfo.class).code()).isEqualTo(code);
        assertThat(Files.exists(tmp.resolve("run"))).as("run dir removed").isFalse();
        return frames;
    }

    private static GuestJob job(String method) {
        return GuestJob.of(SampleTests.class.getName(), method, "1n1l2c1t", 1, 2);
    }

    private static AssertResult result(List<Frame> frames) {
        List<Frame> rs = frames.stream().filter(f -> f.type() == FrameType.RESULT).toList();
        assertThat(rs).hasSize(1);
        return ReportJson.read(rs.get(0).payloadText(), AssertResult.class);
    }

    private static int exitCode(List<Frame> frames) {
        return ReportJson.read(frames.get(frames.size() - 1).payloadText(), ExitInfo.class).code();
    }

    @Test
    void passingTestStreamsHelloReportsResultAndExit() throws Exception {
        List<Frame> frames = run(job("spinsTwoWorkers"));
        Hello h = ReportJson.read(frames.get(0).payloadText(), Hello.class);
        assertThat(h.cpusOnline()).isPositive();
        assertThat(h.jvmStartupMs()).isEqualTo(42);
        List<Frame> reports = frames.stream().filter(f -> f.type() == FrameType.WORKER_REPORT).toList();
        assertThat(reports).hasSize(2);
        WorkerReport wr = ReportJson.read(reports.get(0).payloadText(), WorkerReport.class);
        assertThat(wr.completed()).isTrue();
        assertThat(wr.wakeSampleTotal()).as("Bursty sleeps are sampled").isPositive();
        assertThat(frames).extracting(Frame::type).contains(FrameType.SCENARIO_START, FrameType.SCENARIO_END);
        Stimulus end = ReportJson.read(frames.stream().filter(f -> f.type() == FrameType.SCENARIO_END).findFirst().orElseThrow().payloadText(),
                Stimulus.class);
        assertThat(end.kind()).isEqualTo("scenario_end");
        assertThat(end.monotonicNs()).isPositive();
        assertThat(end.attrs()).containsEntry("elapsedMs", 400);
        assertThat(result(frames).passed()).isTrue();
        assertThat(exitCode(frames)).isEqualTo(ExitInfo.PASS);
    }

    @Test
    void failingAndThrowingTestsAreFailuresWithTheirMessage() throws Exception {
        List<Frame> f1 = run(job("failsOnPurpose"));
        assertThat(result(f1).passed()).isFalse();
        assertThat(result(f1).details().get(0).message()).contains("duration was 1 s");
        assertThat(exitCode(f1)).isEqualTo(ExitInfo.TEST_FAILED);
        List<Frame> f2 = run(job("throwsUp"));
        assertThat(result(f2).details().get(0).message()).contains("kaboom").contains("SampleTests.throwsUp");
        List<Frame> f3 = run(job("noSuchMethod"));
        assertThat(result(f3).details().get(0).message()).contains("noSuchMethod(Ctx) not found");
    }

    @Test
    void aHangingTestTimesOut() throws Exception {
        GuestJob j = job("hangs").withDeadlines(new Deadlines(1_000, 3_000, 2_000, 30_000, 5_000, 800));
        long t0 = System.nanoTime();
        List<Frame> f = run(j);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
        assertThat(exitCode(f)).isEqualTo(ExitInfo.TIMED_OUT);
        assertThat(result(f).details().get(0).message()).contains("did not finish within 800 ms").contains("SampleTests.hangs");
    }

    private Path script(String name, String body) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static final Deadlines FAST = new Deadlines(200, 1_000, 2_000, 30_000, 5_000, 30_000);

    @Test
    void schedulerThatAttachesIsStoppedAtTheEnd() throws Exception {
        Path ext = tmp.resolve("sched_ext");
        Path s = script("fake_sched", "mkdir -p " + ext + "/root; echo enabled > " + ext + "/state; echo fake > " + ext
                + "/root/ops; echo attached; exec sleep 30");
        List<Frame> f = run(job("sleepsWhileSchedulerRuns").withScheduler(SchedulerLaunch.binary("fake", s.toString(), List.of()))
                .withDeadlines(FAST));
        assertThat(result(f).passed()).as("%s", result(f)).isTrue();
        SchedExit e = ReportJson.read(f.stream().filter(x -> x.type() == FrameType.SCHED_EXIT).findFirst().orElseThrow().payloadText(), SchedExit.class);
        assertThat(e.reason()).isEqualTo(SchedExit.Reason.STOPPED);
        assertThat(e.logTail()).contains("attached");
    }

    @Test
    void schedulerThatDiesAtStartFailsWithItsLog() throws Exception {
        Path s = script("dying_sched", "echo 'libbpf: failed to load: -EINVAL'; exit 1");
        List<Frame> f = run(job("sleepsWhileSchedulerRuns").withScheduler(SchedulerLaunch.binary("dying", s.toString(), List.of()))
                .withDeadlines(FAST));
        assertThat(exitCode(f)).isEqualTo(ExitInfo.SCHEDULER_FAILED);
        SchedExit e = ReportJson.read(f.stream().filter(x -> x.type() == FrameType.SCHED_EXIT).findFirst().orElseThrow().payloadText(), SchedExit.class);
        assertThat(e.reason()).isEqualTo(SchedExit.Reason.EXITED);
        assertThat(e.exitCode()).isEqualTo(1);
        assertThat(e.logTail()).contains("failed to load");
        assertThat(result(f).details(DetailKind.SCHEDULER_DIED)).hasSize(1);
    }

    @Test
    void schedulerThatNeverAttachesTimesOut() throws Exception {
        Path ext = tmp.resolve("sched_ext");
        Path s = script("lazy_sched", "mkdir -p " + ext + "; echo disabled > " + ext + "/state; echo 'libbpf: loading'; "
                + "echo 'creating 4096 queue maps'; exec sleep 30");
        List<Frame> f = run(job("sleepsWhileSchedulerRuns").withScheduler(SchedulerLaunch.binary("lazy", s.toString(), List.of()))
                .withDeadlines(FAST));
        assertThat(exitCode(f)).isEqualTo(ExitInfo.SCHEDULER_FAILED);
        assertThat(result(f).details().get(0).message()).contains("NOT_ATTACHED")
                .contains("lazy did not reach enabled within 1 s after its 0.2 s liveness window (sched_ext state 'disabled'); "
                        + "it was still initialising: libbpf: loading | creating 4096 queue maps")
                .contains("@KtstrTest(attachTimeoutS = ..)");
    }

    @Test
    void ejectedSchedulerMakesTheTestFail() throws Exception {
        Path ext = tmp.resolve("sched_ext");
        Path s = script("ejected_sched", "mkdir -p " + ext + "/root; echo enabled > " + ext + "/state; echo fake > " + ext
                + "/root/ops; sleep 0.6; echo disabled > " + ext + "/state; echo 'stall detected'; exec sleep 30");
        List<Frame> f = run(job("sleepsWhileSchedulerRuns").withScheduler(SchedulerLaunch.binary("ejected", s.toString(), List.of()))
                .withDeadlines(FAST));
        assertThat(exitCode(f)).isEqualTo(ExitInfo.TEST_FAILED);
        AssertResult r = result(f);
        assertThat(r.details(DetailKind.SCHEDULER_DIED)).hasSize(1);
        assertThat(r.details(DetailKind.SCHEDULER_DIED).get(0).message()).contains("EJECTED");
        SchedExit e = ReportJson.read(f.stream().filter(x -> x.type() == FrameType.SCHED_EXIT).findFirst().orElseThrow().payloadText(), SchedExit.class);
        assertThat(e.attached()).isTrue();
        assertThat(e.logTail()).contains("stall detected");
    }

    @Test
    void ejectedSchedulerExitReportIsInTheLogTail() throws Exception {
        // Real schedulers print the kernel's exit reason a moment after the ejection, then exit.
        Path ext = tmp.resolve("sched_ext");
        Path s = script("reporting_sched", "mkdir -p " + ext + "/root; echo enabled > " + ext + "/state; echo fake > " + ext
                + "/root/ops; sleep 0.6; echo disabled > " + ext + "/state; sleep 0.5; echo 'EXIT: scx_bpf_error (test triggering error)'; exit 0");
        List<Frame> f = run(job("sleepsWhileSchedulerRuns").withScheduler(SchedulerLaunch.binary("reporting", s.toString(), List.of()))
                .withDeadlines(FAST));
        assertThat(exitCode(f)).isEqualTo(ExitInfo.TEST_FAILED);
        String msg = result(f).details(DetailKind.SCHEDULER_DIED).get(0).message();
        assertThat(msg).contains("EJECTED").contains("exited with 0");
        // the exit report is sched_ext's account in SCHED_EXIT, read from the scheduler's EXIT line
        SchedExit e = ReportJson.read(f.stream().filter(x -> x.type() == FrameType.SCHED_EXIT).findFirst().orElseThrow().payloadText(), SchedExit.class);
        assertThat(e.schedExt()).isNotNull();
        assertThat(e.schedExt().kind()).isEqualTo(dev.ktstr.protocol.guest.SchedExtExit.Kind.ERROR_BPF);
        assertThat(e.schedExt().bpfErrorText()).isEqualTo("test triggering error");
        assertThat(e.schedExt().source()).isEqualTo("scheduler log");
    }

    @Test
    void kernelBuiltinRunsEnableBeforeAndDisableAfter() throws Exception {
        Path marks = tmp.resolve("marks");
        SchedulerLaunch builtin = new SchedulerLaunch("kernel", SchedulerLaunch.Kind.KERNEL_BUILTIN, null, List.of(), null,
                List.of("echo enable >> " + marks), List.of("echo disable >> " + marks));
        List<Frame> f = run(job("failsOnPurpose").withScheduler(builtin).withDeadlines(FAST));
        assertThat(exitCode(f)).isEqualTo(ExitInfo.TEST_FAILED);
        assertThat(Files.readAllLines(marks)).containsExactly("enable", "disable");

        SchedulerLaunch broken = new SchedulerLaunch("kernel", SchedulerLaunch.Kind.KERNEL_BUILTIN, null, List.of(), null,
                List.of("exit 7"), List.of());
        List<Frame> g = run(job("failsOnPurpose").withScheduler(broken).withDeadlines(FAST));
        assertThat(exitCode(g)).isEqualTo(ExitInfo.SCHEDULER_FAILED);
        assertThat(result(g).details().get(0).message()).contains("enable command 'exit 7' exited 7");
    }

    @Test
    void guestJobRoundTripsThroughJson() throws Exception {
        GuestJob j = job("x").withScheduler(new SchedulerLaunch("qmap", SchedulerLaunch.Kind.BINARY, "/ktstr/sched/scx_qmap",
                List.of("-t", "5"), "/cells", List.of("echo on"), List.of("echo off")));
        String json = ReportJson.write(j);
        GuestJob back = ReportJson.read(json, GuestJob.class);
        assertThat(back).isEqualTo(j);
        assertThat(json).contains("\"binaryPath\":\"/ktstr/sched/scx_qmap\"");
        GuestJob off = j.withWorkConservationWatchdog(new WorkConservationWatchdog(false, 5000));
        assertThat(ReportJson.read(ReportJson.write(off), GuestJob.class).workConservationWatchdog())
                .isEqualTo(new WorkConservationWatchdog(false, 5000));
    }

    @Test
    void aJobWithoutTheWatchdogFieldReadsAsTheDefault() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(ReportJson.write(job("x")));
        tree.remove("workConservationWatchdog");
        assertThat(ReportJson.read(tree.toString(), GuestJob.class).workConservationWatchdog()).isEqualTo(WorkConservationWatchdog.DEFAULT);
    }
}
