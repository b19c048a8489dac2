package dev.ktstr.guest.agent;

import dev.ktstr.protocol.frame.Frame;
import dev.ktstr.protocol.frame.FrameCodec;
import dev.ktstr.protocol.frame.FrameType;
import dev.ktstr.protocol.guest.ExitInfo;
import dev.ktstr.protocol.guest.GuestJob;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Entry point of the guest JVM ({@code /ktstr/bin/agent-start}). Exit code = the EXIT frame's code.
 * Environment: {@code KTSTR_JOB} (default /ktstr/job.json), {@code KTSTR_AGENT_CHANNEL} (a path
 * to use instead of the virtio port, for development).
 */
public final class AgentMain {
    private AgentMain() {}

    public static void main(String[] args) {
        long startupMs = ManagementFactory.getRuntimeMXBean().getUptime();
        String jobPath = System.getenv().getOrDefault("KTSTR_JOB", GuestJob.GUEST_PATH);
        DataPort port;
        try {
            port = DataPort.open(System.getenv("KTSTR_AGENT_CHANNEL"), Path.of("/sys/class/virtio-ports"), Path.of("/dev"));
        } catch (Exception e) {
            System.err.println("ktstr agent: FATAL: " + e.getMessage());
            System.exit(ExitInfo.AGENT_ERROR);
            return;
        }
        FrameWriter writer = new FrameWriter(port.out, msg -> System.err.println("ktstr agent: " + msg));
        int code = run(writer, port, jobPath, startupMs);
        writer.close(Duration.ofSeconds(5));
        System.exit(code);
    }

    static int run(FrameWriter writer, DataPort port, String jobPath, long startupMs) {
        Thread.setDefaultUncaughtExceptionHandler((t, e) ->
                writer.text(FrameType.CRASH, "uncaught in thread " + t.getName() + ": " + Agent.stackText(e)));
        startHostReader(port, writer);
        Agent agent = new Agent(writer, Agent.Options.inGuest(), startupMs);
        try {
            // Jackson's first read and first write each cost seconds in a cold guest JVM, and they share little:
            // the job is parsed on its own thread while the hello is written and the worker hosts start.
            long t0 = System.nanoTime();
            CompletableFuture<GuestJob> jobRead = readJobAhead(Path.of(jobPath));
            agent.hello();
            // before the job is even parsed: every millisecond a host JVM starts earlier is one less on the spawn's critical path
            agent.prestartWorkerHosts(Runtime.getRuntime().availableProcessors());
            GuestJob job = join(jobRead);
            agent.jobReadMs((System.nanoTime() - t0) / 1_000_000);
            writer.log("job: " + job.testClass() + "#" + job.testMethod() + " topology " + job.topology()
                    + (job.scheduler() == null ? " (EEVDF)" : " scheduler " + job.scheduler().name()));
            return agent.run(job);
        } catch (Throwable e) {
            writer.text(FrameType.CRASH, Agent.stackText(e));
            writer.json(FrameType.EXIT, new ExitInfo(ExitInfo.AGENT_ERROR, "agent crashed: " + e, AgentClock.uptimeMs()));
            return ExitInfo.AGENT_ERROR;
        }
    }

    private static CompletableFuture<GuestJob> readJobAhead(Path jobPath) {
        CompletableFuture<GuestJob> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(AgentJson.mapper().readValue(jobPath.toFile(), GuestJob.class));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "job-read");
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** The job's own exception, not the future's wrapper, reaches the CRASH frame. */
    static <T> T join(CompletableFuture<T> f) throws Throwable {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    private static volatile boolean dumped;

    /**
     * Host-to-guest frames: HOST_SHUTDOWN ends the run (the host's watchdog is about to kill the VM);
     * HOST_SYSRQ_D takes sched_ext's debug dump once.
     */
    private static void startHostReader(DataPort port, FrameWriter writer) {
        Thread t = new Thread(() -> {
            FrameCodec.Reader r = new FrameCodec.Reader(port.in, (off, problem) -> writer.log("host channel: " + problem + " at " + off));
            try {
                Frame f;
                while ((f = r.next()) != null) {
                    if (f.type() == FrameType.HOST_SYSRQ_D && !dumped) {
                        dumped = true; // once per boot: the first violation's state is the interesting one
                        String why = f.payloadText();
                        Thread d = new Thread(() -> {
                            try {
                                writer.log("host monitor: " + why + "; taking the sched_ext dump (SysRq-D)");
                                writer.text(FrameType.SCHED_DUMP, SchedExtDump.system().take(500));
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }, "sched-ext-dump");
                        d.setDaemon(true);
                        d.start();
                    }
                    if (f.type() == FrameType.HOST_SHUTDOWN) {
                        writer.log("host requested shutdown");
                        writer.json(FrameType.EXIT, new ExitInfo(ExitInfo.TIMED_OUT, "host requested shutdown", AgentClock.uptimeMs()));
                        writer.close(Duration.ofSeconds(2));
                        Runtime.getRuntime().halt(ExitInfo.TIMED_OUT);
                    }
                }
            } catch (Exception ignored) {
                // port closed: nothing more from the host
            }
        }, "host-reader");
        t.setDaemon(true);
        t.start();
    }
}
