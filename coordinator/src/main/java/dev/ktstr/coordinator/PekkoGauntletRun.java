package dev.ktstr.coordinator;

import dev.ktstr.coordinator.journal.JournalRecord;
import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.coordinator.progress.ProgressPrinter;
import dev.ktstr.coordinator.run.Coordinator;
import dev.ktstr.coordinator.run.RunSetup;
import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorMsg;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** {@link GauntletRun} on a Pekko actor system hosting the {@link Coordinator} actor. */
final class PekkoGauntletRun implements GauntletRun {

    private final ActorSystem<?> system;
    private final ActorRef<CoordinatorMsg> coordinator;

    /** Runs not yet finished: failed, not left waiting, when this node leaves the cluster or its system stops. */
    private final Set<CompletableFuture<RunSummary>> active = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    PekkoGauntletRun(ActorSystem<?> system, ActorRef<CoordinatorMsg> coordinator) {
        this.system = system;
        this.coordinator = coordinator;
        // keep-oldest + down-if-alone downs a coordinator that was paused or cut off while >= 2 workers still saw each
        // other; its actor system then shuts down and nothing would ever complete the run: fail it with what happened
        org.apache.pekko.cluster.Cluster.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system))
                .registerOnMemberRemoved(() -> failActive("this coordinator node was removed from the cluster (downed by the"
                        + " split-brain resolver: it was paused or cut off from its workers for longer than the failure detector allows)"));
        system.getWhenTerminated().thenRun(() -> failActive("the coordinator's actor system stopped"));
    }

    private void failActive(String what) {
        if (closing) return;
        for (CompletableFuture<RunSummary> f : active) {
            f.completeExceptionally(new CoordinatorDownedException(what + "; the run's journal is intact: restart with"
                    + " `ktstr coordinator --resume RUN_ID` (the shipped systemd unit restarts the coordinator and resumes)"));
        }
    }

    static void awaitUp(ActorSystem<?> system, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Cluster c = Cluster.get(system);
        while (c.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                system.terminate();
                throw new IllegalStateException("the coordinator's cluster node did not come up within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                system.terminate();
                throw new IllegalStateException("interrupted while starting the cluster", e);
            }
        }
    }

    @Override
    public RunHandle start(RunRequest req) {
        RunOptions opts = req.options();
        Path journalFile = RunJournal.pathFor(opts.runsDir(), req.runId());
        List<JobSpec> jobs;
        Map<String, JobResult> existing = Map.of();
        Map<String, Integer> retries = Map.of();
        RunJournal journal;
        try {
            if (req.resume()) {
                JournalState st = RunJournal.replay(journalFile);
                jobs = st.jobs();
                existing = st.results();
                retries = st.retries();
                journal = RunJournal.openForAppend(journalFile);
            } else {
                jobs = req.jobs();
                validatePlan(jobs, req.artifacts());
                journal = RunJournal.create(opts.runsDir(), new JournalRecord.Plan(req.runId(), Instant.now().toString(),
                        jobs.size(), opts.tcgOvercommit(), opts.maxAttempts(), 1), jobs);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        RunListener listener = opts.printProgress() ? RunListener.both(new ProgressPrinter(System.err), req.listener()) : req.listener();
        CompletableFuture<RunSummary> done = new CompletableFuture<>();
        active.add(done);
        done.whenComplete((r, e) -> active.remove(done));
        AtomicReference<RunProgress> progress = new AtomicReference<>(RunProgress.empty(req.runId(), jobs.size()));
        coordinator.tell(new Coordinator.StartRun(new RunSetup(req.runId(), jobs, existing, retries, journal, opts, listener,
                req.artifacts(), done, progress)));
        return new Handle(req.runId(), journalFile, done, progress);
    }

    static void validatePlan(List<JobSpec> jobs, ArtifactStore artifacts) {
        Set<String> ids = new HashSet<>();
        Set<String> variants = new HashSet<>();
        for (JobSpec j : jobs) {
            if (!ids.add(j.jobId())) throw new IllegalArgumentException("two jobs share the id " + j.jobId() + " (" + j.variantName() + ")");
            if (!variants.add(j.variantName())) {
                throw new IllegalArgumentException("variant " + j.variantName() + " appears twice in the plan: one result per variant");
            }
            for (ArtifactRef a : j.artifacts()) {
                if (!artifacts.offers(a)) {
                    throw new IllegalArgumentException("job " + j.variantName() + " needs artifact " + a.name() + " (" + a.sha256()
                            + ") that the run does not offer: add the file to the run's ArtifactStore");
                }
            }
        }
    }

    @Override
    public String address() {
        var a = system.address();
        return a.host().getOrElse(() -> "?") + ":" + a.port().getOrElse(() -> 0);
    }

    @Override
    public void close() {
        closing = true;
        try {
            AskPattern.<CoordinatorMsg, org.apache.pekko.Done>ask(coordinator, r -> new Coordinator.Close("coordinator shutting down", r),
                    Duration.ofSeconds(5), system.scheduler()).toCompletableFuture().get(6, TimeUnit.SECONDS);
            // give CoordinatorClosing a moment on the wire before the node leaves
            Thread.sleep(300);
            Cluster c = Cluster.get(system);
            c.manager().tell(Leave.create(c.selfMember().address()));
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // fall through to a hard stop
        } finally {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // nothing more to do
            }
        }
    }

    private record Handle(String runId, Path journal, CompletableFuture<RunSummary> completion,
                          AtomicReference<RunProgress> progressRef) implements RunHandle {
        @Override
        public RunProgress progress() {
            return progressRef.get();
        }

        @Override
        public RunSummary await() throws InterruptedException {
            try {
                return completion.get();
            } catch (ExecutionException e) {
                throw new RunFailedException(e.getCause());
            }
        }

        @Override
        public RunSummary await(Duration timeout) throws InterruptedException, TimeoutException {
            try {
                return completion.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new RunFailedException(e.getCause());
            }
        }
    }
}
