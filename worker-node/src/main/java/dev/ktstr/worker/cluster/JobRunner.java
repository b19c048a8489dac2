package dev.ktstr.worker.cluster;

import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.worker.JobExecutor;
import dev.ktstr.worker.JobProgress;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorMsg;
import dev.ktstr.cluster.ClusterProtocol.JobPhase;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The "VM actor": owns one job on this worker. Fetches missing artifacts, runs the
 * {@link JobExecutor} on its own thread, stops it at the job's deadline (TIMEOUT), and hands
 * exactly one result to its parent.
 */
public final class JobRunner extends AbstractBehavior<JobRunner.Command> {

    public interface Command {
    }

    /** The coordinator is gone: abandon the job without a result. */
    public record Abandon() implements Command {
    }

    private record ArtifactReady(ArtifactFetcher.Fetched fetched) implements Command {
    }

    private record Executed(JobResult result, Throwable error) implements Command {
    }

    private record Deadline() implements Command {
    }

    /** Sent to the parent exactly once unless abandoned. */
    public record Done(JobResult result) {
    }

    /** Results are untrusted guest text: cap what travels and gets journaled. */
    static final int MAX_MESSAGE_CHARS = 16 * 1024;
    static final int MAX_DETAILS_CHARS = 256 * 1024;

    private final JobSpec job;
    private final JobExecutor executor;
    private final ExecutorService threads;
    private final ActorRef<CoordinatorMsg> coordinator;
    private final ActorRef<Done> parent;
    private final String nodeId;
    private final String secret;
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private final Map<String, ArtifactRef> missing = new HashMap<>();
    private final long startNanos = System.nanoTime();
    private long phaseStart = System.nanoTime();
    private Future<?> running;

    public static Behavior<Command> create(JobSpec job, JobExecutor executor, ExecutorService threads,
                                           ActorRef<ArtifactFetcher.Command> fetcher, ActorRef<CoordinatorMsg> coordinator,
                                           ActorRef<Done> parent, String nodeId, String secret) {
        return Behaviors.setup(ctx -> new JobRunner(ctx, job, executor, threads, fetcher, coordinator, parent, nodeId, secret));
    }

    private JobRunner(ActorContext<Command> ctx, JobSpec job, JobExecutor executor, ExecutorService threads,
                      ActorRef<ArtifactFetcher.Command> fetcher, ActorRef<CoordinatorMsg> coordinator,
                      ActorRef<Done> parent, String nodeId, String secret) {
        super(ctx);
        this.secret = secret;
        this.job = job;
        this.executor = executor;
        this.threads = threads;
        this.coordinator = coordinator;
        this.parent = parent;
        this.nodeId = nodeId;
        // the deadline covers fetch + execution: a job may not hold a slot longer than it asked for
        ctx.scheduleOnce(Duration.ofMillis(job.timeoutMs()), ctx.getSelf(), new Deadline());
        ActorRef<ArtifactFetcher.Fetched> adapter = ctx.messageAdapter(ArtifactFetcher.Fetched.class, ArtifactReady::new);
        for (ArtifactRef a : job.artifacts()) {
            missing.put(a.sha256(), a);
        }
        if (missing.isEmpty()) {
            startExecution();
        } else {
            phase("fetch");
            for (ArtifactRef a : job.artifacts()) {
                fetcher.tell(new ArtifactFetcher.Fetch(a, coordinator, adapter));
            }
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(ArtifactReady.class, this::onArtifact)
                .onMessage(Executed.class, this::onExecuted)
                .onMessage(Deadline.class, d -> finish(JobResult.of(job, JobStatus.TIMEOUT,
                        "job exceeded its deadline of " + job.timeoutMs() + " ms and was stopped", nodeId, executor.accelerator())))
                .onMessage(Abandon.class, a -> Behaviors.stopped())
                .onSignal(PostStop.class, s -> {
                    if (running != null) running.cancel(true);
                    return this;
                })
                .build();
    }

    /** Called from the executor's thread too: tell is thread-safe and the fields are final. */
    private void phase(String phase) {
        coordinator.tell(new JobPhase(job.jobId(), job.attempt(), phase, nodeId,
                dev.ktstr.cluster.AuthToken.phase(secret, nodeId, job.jobId(), job.attempt(), phase)));
    }

    private Behavior<Command> onArtifact(ArtifactReady r) {
        if (!r.fetched().ok()) {
            return finish(JobResult.of(job, JobStatus.INFRA_ERROR, "artifact fetch failed: " + r.fetched().error(),
                    nodeId, executor.accelerator()));
        }
        missing.remove(r.fetched().ref().sha256());
        if (missing.isEmpty() && running == null) {
            timings.put("fetch", (System.nanoTime() - phaseStart) / 1_000_000);
            startExecution();
        }
        return this;
    }

    private void startExecution() {
        phaseStart = System.nanoTime();
        ActorRef<Command> self = getContext().getSelf();
        JobProgress progress = new JobProgress() {
            @Override
            public void phase(String phase) {
                JobRunner.this.phase(phase);
            }

            @Override
            public void sample(String metric, double value) {
                // samples stay local until the monitor stream exists; phases are what the coordinator shows
            }
        };
        running = threads.submit(() -> {
            try {
                self.tell(new Executed(executor.execute(job, progress), null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                self.tell(new Executed(null, t));
            }
        });
    }

    private Behavior<Command> onExecuted(Executed e) {
        timings.put("execute", (System.nanoTime() - phaseStart) / 1_000_000);
        if (e.error() != null) {
            return finish(JobResult.of(job, JobStatus.INFRA_ERROR, "executor failed: " + e.error(), nodeId,
                    executor.accelerator()));
        }
        JobResult r = e.result();
        if (r == null || !job.jobId().equals(r.jobId())) {
            return finish(JobResult.of(job, JobStatus.INFRA_ERROR, "executor returned no result or one for another job",
                    nodeId, executor.accelerator()));
        }
        return finish(r);
    }

    private Behavior<Command> finish(JobResult r) {
        Map<String, Long> t = new LinkedHashMap<>(r.phaseTimingsMs());
        t.putAll(timings);
        t.put("total", (System.nanoTime() - startNanos) / 1_000_000);
        parent.tell(new Done(new JobResult(r.jobId(), job.variantName(), r.status(), cap(r.message(), MAX_MESSAGE_CHARS),
                cap(r.details(), MAX_DETAILS_CHARS), nodeId, r.accelerator() == null ? executor.accelerator() : r.accelerator(),
                t, job.attempt(), r.outcome())));
        return Behaviors.stopped();
    }

    static String cap(String s, int max) {
        if (s == null || s.length() <= max) return s;
        return s.substring(0, max) + "... [truncated " + (s.length() - max) + " chars]";
    }
}
