package dev.ktstr.coordinator.run;

import dev.ktstr.coordinator.RunProgress;
import dev.ktstr.coordinator.RunSummary;
import dev.ktstr.coordinator.journal.JournalRecord;
import dev.ktstr.coordinator.progress.Untrusted;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.coordinator.verdict.Verdict;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.cluster.AuthToken;
import dev.ktstr.cluster.ClusterProtocol;
import dev.ktstr.cluster.ClusterProtocol.AssignJobs;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorClosing;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorMsg;
import dev.ktstr.cluster.ClusterProtocol.FetchChunk;
import dev.ktstr.cluster.ClusterProtocol.JobFinished;
import dev.ktstr.cluster.ClusterProtocol.JobFinishedPart;
import dev.ktstr.cluster.ResultCodec;
import dev.ktstr.cluster.ResultParts;
import dev.ktstr.cluster.ClusterProtocol.JobPhase;
import dev.ktstr.cluster.ClusterProtocol.NoWork;
import dev.ktstr.cluster.ClusterProtocol.Rejected;
import dev.ktstr.cluster.ClusterProtocol.RequestWork;
import dev.ktstr.cluster.ClusterProtocol.ResultAck;
import dev.ktstr.cluster.ClusterProtocol.WorkAvailable;
import dev.ktstr.cluster.ClusterProtocol.WorkerMsg;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;

/**
 * The coordinator actor: owns the active run. Workers pull jobs ({@link Placement} against their
 * advertised capacity); each result is journaled (fsync) before it is acknowledged and counts
 * once per job id; jobs of a lost worker are re-queued with the next attempt number until
 * {@code maxAttempts}, then become INFRA_ERROR results.
 */
public final class Coordinator extends AbstractBehavior<CoordinatorMsg> {

    /** Local only: hands a prepared run to the actor. */
    public record StartRun(RunSetup setup) implements CoordinatorMsg {
    }

    /** Local only: tell workers we are going away on purpose. */
    public record Close(String reason, ActorRef<Done> replyTo) implements CoordinatorMsg {
    }

    private record Tick() implements CoordinatorMsg {
    }

    /** Journal every result received since the last flush with one fsync, then acknowledge them. */
    private record Flush() implements CoordinatorMsg {
    }

    private record Pending(JobResult result, ActorRef<WorkerMsg> worker) {
    }

    private record WorkerGone(ActorRef<WorkerMsg> worker) implements CoordinatorMsg {
    }

    private record MemberLost(Address address, String why) implements CoordinatorMsg {
    }

    /** The failure detector lost ({@code reachable} false) or found again a member. */
    private record MemberReachability(Address address, boolean reachable) implements CoordinatorMsg {
    }

    static final Duration TICK = Duration.ofMillis(500);
    static final int MAX_MESSAGE_CHARS = 16 * 1024;
    static final int MAX_DETAILS_CHARS = 256 * 1024;

    private static final class WorkerState {
        WorkerCapacity capacity;
        final Address address;
        final Map<String, JobSpec> inflight = new LinkedHashMap<>();
        boolean hungry;

        WorkerState(Address address) {
            this.address = address;
        }

        Placement.Usage usage() {
            Placement.Usage u = Placement.Usage.NONE;
            for (JobSpec j : inflight.values()) u = u.plus(j);
            return u;
        }
    }

    private final class RunState {
        final RunSetup setup;
        final Map<String, JobSpec> byId = new LinkedHashMap<>();
        final Map<String, JobSpec> queue = new LinkedHashMap<>();
        final Map<String, JobResult> results = new HashMap<>();
        final Map<String, Integer> attempts = new HashMap<>();
        final Map<String, ActorRef<WorkerMsg>> holder = new HashMap<>();
        /** Nodes an attempt of the job failed on (infrastructure error or lost): retries go elsewhere when they can. */
        final Map<String, java.util.Set<String>> failedOn = new HashMap<>();
        /** Infrastructure errors in a row per node; a node's other result resets it. */
        final Map<String, Integer> infraStreak = new HashMap<>();
        /** Nodes taken out of this run, with why (in the summary). */
        final Map<String, String> quarantined = new LinkedHashMap<>();
        /**
         * When each held attempt was handed out (System.nanoTime): its lease ends its timeout plus
         * {@link RunOptions#leaseMargin()} later; reconciliation with the holder's list waits the reconcile grace.
         */
        final Map<String, Long> assignedAt = new HashMap<>();
        /** Every quarantine of the run and its lifting, for the summary. */
        final List<String> quarantineLog = new ArrayList<>();
        final Map<JobStatus, Integer> counts = new EnumMap<>(JobStatus.class);
        final long startNanos = System.nanoTime();
        final List<Pending> pending = new ArrayList<>();
        final Map<String, List<ActorRef<WorkerMsg>>> pendingAcks = new HashMap<>();
        boolean flushScheduled;
        int executed;
        int resumed;
        long actorNanos;
        long lastPrint = System.nanoTime();

        RunState(RunSetup s) {
            this.setup = s;
            for (JobStatus st : JobStatus.values()) counts.put(st, 0);
            for (JobSpec j : s.jobs()) {
                byId.put(j.jobId(), j);
                JobResult prior = s.existing().get(j.jobId());
                if (prior != null) {
                    results.put(j.jobId(), prior);
                    counts.merge(prior.status(), 1, Integer::sum);
                    resumed++;
                } else {
                    int attempt = s.retries().getOrDefault(j.jobId(), 0);
                    attempts.put(j.jobId(), attempt);
                    queue.put(j.jobId(), j.withAttempt(attempt));
                }
            }
        }

        int attemptOf(String jobId) {
            return attempts.getOrDefault(jobId, 0);
        }

        /** Journaled, or received and waiting for the next group fsync. */
        boolean hasResult(String jobId) {
            return results.containsKey(jobId) || pendingAcks.containsKey(jobId);
        }
    }

    private final String secret;
    private final Address selfAddress;
    private final Map<ActorRef<WorkerMsg>, WorkerState> workers = new LinkedHashMap<>();
    private RunState run;
    /** Serves the current run's artifact bytes, off this actor's message loop. */
    private final ActorRef<ArtifactServer.Command> artifactServer;
    private long lastWorkerJoinNanos = System.nanoTime();
    private final Map<String, Integer> ignoredCounts = new HashMap<>();
    /** Results arriving in parts, by node, job and attempt; bounded by {@link #MAX_ASSEMBLIES}. */
    private final Map<String, ResultParts.Assembly> assemblies = new LinkedHashMap<>();
    private final ResultCodec codec;
    private long lastWorkerSeenNanos = Long.MIN_VALUE / 2;

    /**
     * @param secret shared secret every message is authenticated with; production paths always pass one (local mode a
     *               random per-run one); null or empty = no check, for actor unit tests only
     */
    public static Behavior<CoordinatorMsg> create(String secret) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(new Tick(), TICK);
            return new Coordinator(ctx, secret);
        }));
    }

    private Coordinator(ActorContext<CoordinatorMsg> ctx, String secret) {
        super(ctx);
        this.secret = secret;
        this.codec = ResultCodec.of(ctx.getSystem());
        this.artifactServer = ctx.spawn(ArtifactServer.create(), "artifacts");
        Cluster cluster = Cluster.get(ctx.getSystem());
        this.selfAddress = cluster.selfMember().address();
        ctx.getSystem().receptionist().tell(Receptionist.register(ClusterProtocol.COORDINATOR_KEY, ctx.getSelf()));
        // Unreachable is not dead: a paused or partitioned worker that comes back before it is downed still
        // runs its jobs, so re-queueing them now would run them twice. They are re-queued when the member is
        // removed (downed), or when their lease ends.
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.UnreachableMember.class,
                e -> new MemberReachability(e.member().address(), false)), ClusterEvent.UnreachableMember.class));
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.ReachableMember.class,
                e -> new MemberReachability(e.member().address(), true)), ClusterEvent.ReachableMember.class));
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberRemoved.class,
                e -> new MemberLost(e.member().address(), "removed from the cluster")), ClusterEvent.MemberRemoved.class));
    }

    @Override
    public Receive<CoordinatorMsg> createReceive() {
        return newReceiveBuilder()
                .onMessage(RequestWork.class, m -> timed(() -> onRequestWork(m)))
                .onMessage(JobFinished.class, m -> timed(() -> onJobFinished(m)))
                .onMessage(JobFinishedPart.class, m -> timed(() -> onJobFinishedPart(m)))
                .onMessage(JobPhase.class, m -> timed(() -> onPhase(m)))
                .onMessage(FetchChunk.class, m -> timed(() -> onFetchChunk(m)))
                .onMessage(StartRun.class, this::onStartRun)
                .onMessage(Tick.class, m -> {
                    onTick(); // housekeeping, not per-job cost: kept out of the overhead figure
                    return this;
                })
                .onMessage(Flush.class, m -> timed(this::onFlush))
                .onMessage(WorkerGone.class, m -> timed(() -> loseWorker(m.worker(), "its worker actor stopped")))
                .onMessage(MemberLost.class, m -> timed(() -> onMemberLost(m)))
                .onMessage(MemberReachability.class, m -> timed(() -> onReachability(m)))
                .onMessage(Close.class, this::onClose)
                .build();
    }

    private Behavior<CoordinatorMsg> timed(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        if (run != null) run.actorNanos += System.nanoTime() - t0;
        return this;
    }

    private Behavior<CoordinatorMsg> onStartRun(StartRun s) {
        if (run != null) {
            s.setup().completion().completeExceptionally(new IllegalStateException(
                    "run " + run.setup.runId() + " is still in progress; one run at a time per coordinator"));
            return this;
        }
        run = new RunState(s.setup());
        artifactServer.tell(new ArtifactServer.Offer(run.setup.artifacts()));
        if (run.resumed > 0) {
            journal(new JournalRecord.Resumed(Instant.now().toString(), run.queue.size()));
        }
        publishProgress(true);
        if (run != null) checkDone();
        notifyHungry();
        return this;
    }

    /** Logs a dropped message; the first few of each kind in full, then every 1000th (a flood must not fill the disk). */
    private void ignored(String kind, Object from, String why) {
        int n = ignoredCounts.merge(kind, 1, Integer::sum);
        if (n <= 20 || n % 1000 == 0) {
            getContext().getLog().warn("ignored {} #{} from {}: {}", kind, n, from, why);
        }
    }

    /** {@code token} is the one {@code expected} computes; null secret (unit tests only) accepts all. */
    private boolean authentic(String node, String token, String expected) {
        return node != null && AuthToken.check(secret, token, expected);
    }

    private String tokenFor(ActorRef<WorkerMsg> worker) {
        WorkerState ws = workers.get(worker);
        return ws == null || ws.capacity == null ? "" : AuthToken.coordinator(secret, ws.capacity.nodeId());
    }

    private void onRequestWork(RequestWork rw) {
        WorkerCapacity cap = rw.capacity();
        if (cap == null || cap.nodeId() == null || !authentic(cap.nodeId(), rw.authToken(), AuthToken.request(secret, cap.nodeId()))) {
            ignored("RequestWork", rw.worker() == null ? "?" : rw.worker().path(), "wrong or missing shared secret");
            if (rw.worker() != null) {
                rw.worker().tell(new Rejected(getContext().getSelf(),
                        "shared secret mismatch: start the worker with the same --secret-file as the coordinator"));
            }
            return;
        }
        WorkerState known = workers.get(rw.worker());
        if (known != null && known.capacity != null && !known.capacity.nodeId().equals(cap.nodeId())) {
            ignored("RequestWork", rw.worker().path(), "node id changed from " + known.capacity.nodeId() + " to " + cap.nodeId());
            return;
        }
        WorkerState ws = workers.get(rw.worker());
        if (ws == null) {
            ws = new WorkerState(addressOf(rw.worker()));
            workers.put(rw.worker(), ws);
            getContext().watchWith(rw.worker(), new WorkerGone(rw.worker()));
            lastWorkerJoinNanos = System.nanoTime();
        }
        ws.capacity = cap;
        if (run != null && rw.held() != null) {
            if (AuthToken.check(secret, rw.heldToken(), AuthToken.held(secret, cap.nodeId(), rw.held()))) {
                if (!reconcile(rw.worker(), ws, new java.util.HashSet<>(rw.held()))) return;
            } else {
                ignored("RequestWork.held", cap.nodeId(), "wrong or missing token over the held jobs");
            }
        }
        if (run != null && run.quarantined.containsKey(cap.nodeId()) && !liftQuarantine(cap.nodeId())) {
            ws.hungry = true; // woken like any idle worker, so it can be released when the others are gone
            rw.worker().tell(new NoWork(getContext().getSelf(), tokenFor(rw.worker())));
            return;
        }
        if (run == null || run.queue.isEmpty()) {
            ws.hungry = true;
            rw.worker().tell(new NoWork(getContext().getSelf(), tokenFor(rw.worker())));
            return;
        }
        int max = Math.min(rw.freeSlots(), cap.slots() - ws.inflight.size());
        List<JobSpec> chosen = Placement.choose(eligible(cap.nodeId()), cap, ws.usage(), max, run.setup.options().tcgOvercommit());
        if (chosen.isEmpty()) {
            ws.hungry = true;
            rw.worker().tell(new NoWork(getContext().getSelf(), tokenFor(rw.worker())));
            return;
        }
        ws.hungry = false;
        for (JobSpec j : chosen) {
            run.queue.remove(j.jobId());
            run.holder.put(j.jobId(), rw.worker());
            run.assignedAt.put(j.jobId(), System.nanoTime());
            ws.inflight.put(j.jobId(), j);
        }
        rw.worker().tell(new AssignJobs(chosen, getContext().getSelf(), tokenFor(rw.worker())));
    }

    /**
     * The queue minus retries that failed on {@code node} while another registered worker that
     * could host them exists: a worker failing every job fast must not absorb the retries.
     */
    private java.util.Collection<JobSpec> eligible(String node) {
        if (run.failedOn.isEmpty()) return run.queue.values();
        double oc = run.setup.options().tcgOvercommit();
        List<JobSpec> out = new ArrayList<>(run.queue.size());
        for (JobSpec j : run.queue.values()) {
            java.util.Set<String> failed = run.failedOn.get(j.jobId());
            if (failed != null && failed.contains(node) && workers.values().stream().anyMatch(w -> w.capacity != null
                    && !failed.contains(w.capacity.nodeId()) && Placement.fitsEmpty(j, w.capacity, oc))) {
                continue;
            }
            out.add(j);
        }
        return out;
    }

    /**
     * The state of {@code worker} when it registered under {@code node}; else null, logged: an authentic
     * message from an actor not registered under that node id never concerns a job of this coordinator.
     */
    private WorkerState registered(String kind, ActorRef<WorkerMsg> worker, String node) {
        WorkerState ws = workers.get(worker);
        if (ws != null && ws.capacity != null && ws.capacity.nodeId().equals(node)) return ws;
        ignored(kind, worker.path(), "node " + node + " is not a registered worker");
        return null;
    }

    private void onJobFinished(JobFinished jf) {
        JobResult r = jf.result();
        if (r == null || jf.worker() == null || !authentic(jf.node(), jf.authToken(),
                AuthToken.result(secret, jf.node(), r.jobId(), r.attempt(), String.valueOf(r.status())))) {
            ignored("JobFinished", jf.worker() == null ? "?" : jf.worker().path(), "wrong or missing shared secret");
            return;
        }
        WorkerState ws = registered("JobFinished", jf.worker(), jf.node());
        if (ws == null) return;
        String ack = AuthToken.coordinator(secret, jf.node());
        if (run == null || !run.byId.containsKey(r.jobId()) || run.results.containsKey(r.jobId())) {
            ws.inflight.remove(r.jobId());
            jf.worker().tell(new ResultAck(r.jobId(), ack)); // another run's, or a duplicate: idempotent
            return;
        }
        if (run.pendingAcks.containsKey(r.jobId())) {
            run.pendingAcks.get(r.jobId()).add(jf.worker()); // duplicate of a result not yet durable: ack after the fsync
            return;
        }
        int current = run.attemptOf(r.jobId());
        if (!jf.worker().equals(run.holder.get(r.jobId())) || r.attempt() != current) {
            // only the holder of the current attempt decides a job: an older attempt's late result (its worker was
            // lost and the job re-queued) is acknowledged so it stops being re-sent, and dropped
            ws.inflight.remove(r.jobId());
            ignored("JobFinished", jf.node(), "job " + r.jobId() + " attempt " + r.attempt() + " is not held by this worker"
                    + " (current attempt " + current + ")");
            jf.worker().tell(new ResultAck(r.jobId(), ack));
            return;
        }
        ws.inflight.remove(r.jobId());
        // the verdict is the coordinator's: a worker reports what the VM produced, judged here by the job's terms
        r = Verdict.apply(r, run.byId.get(r.jobId()).verdict());
        countForQuarantine(jf.node(), r);
        if (r.status() == JobStatus.INFRA_ERROR) {
            if (current + 1 < run.setup.options().maxAttempts()) {
                run.failedOn.computeIfAbsent(r.jobId(), k -> new java.util.HashSet<>()).add(jf.node());
                if (!retry(run.byId.get(r.jobId()), current, "infrastructure error on " + r.workerNode() + ": " + r.message())) return;
                jf.worker().tell(new ResultAck(r.jobId(), ack));
                notifyHungry();
                return;
            }
        }
        // group commit: results that queued up while the previous fsync ran share the next one
        run.pending.add(new Pending(sanitize(r), jf.worker()));
        run.pendingAcks.computeIfAbsent(r.jobId(), k -> new ArrayList<>()).add(jf.worker());
        if (!run.flushScheduled) {
            run.flushScheduled = true;
            getContext().getSelf().tell(new Flush());
        }
        // a worker told "no work" because it was full may have room now
        notifyHungry();
    }

    /** At most this many results in parts at once (each up to {@link ResultParts#MAX_RESULT_BYTES}). */
    static final int MAX_ASSEMBLIES = 16;

    /**
     * A part of a result too large for one message. Authenticated per part (the token covers the job, the
     * offset and the whole payload's digest); the assembled bytes must match that digest and decode to a
     * result of the same job and attempt, which then goes through {@link #onJobFinished} like any other.
     */
    private void onJobFinishedPart(JobFinishedPart p) {
        if (p.worker() == null || p.jobId() == null || p.sha256() == null || !authentic(p.node(), p.authToken(),
                AuthToken.resultPart(secret, p.node(), p.jobId(), p.attempt(), p.offset(), p.totalSize(), p.sha256()))) {
            ignored("JobFinishedPart", p.worker() == null ? "?" : p.worker().path(), "wrong or missing shared secret");
            return;
        }
        if (registered("JobFinishedPart", p.worker(), p.node()) == null) return;
        String key = p.node() + '\0' + p.jobId() + '\0' + p.attempt();
        ResultParts.Assembly a = assemblies.get(key);
        if (p.offset() == 0) {
            if (a == null && assemblies.size() >= MAX_ASSEMBLIES) {
                ignored("JobFinishedPart", p.node(), MAX_ASSEMBLIES + " results are already arriving in parts; job " + p.jobId()
                        + " waits for its re-send");
                return;
            }
            try {
                a = new ResultParts.Assembly(p.totalSize(), p.sha256());
            } catch (IllegalArgumentException e) {
                ignored("JobFinishedPart", p.node(), "job " + p.jobId() + ": " + e.getMessage());
                return;
            }
            assemblies.put(key, a);
        }
        if (a == null || !a.matches(p.totalSize(), p.sha256()) || !a.add(p.offset(), p.data())) {
            // a part lost or out of order: the worker re-sends the whole result until it is acknowledged
            assemblies.remove(key);
            return;
        }
        if (!a.complete()) return;
        assemblies.remove(key);
        byte[] bytes = a.payload();
        JobResult r = null;
        try {
            if (bytes != null) r = codec.decode(bytes);
        } catch (IOException e) {
            r = null;
        }
        if (r == null || !p.jobId().equals(r.jobId()) || r.attempt() != p.attempt()) {
            ignored("JobFinishedPart", p.node(), "job " + p.jobId() + ": the assembled " + p.totalSize() + " bytes "
                    + (bytes == null ? "do not match their digest" : "are not that job's result"));
            return;
        }
        onJobFinished(new JobFinished(r, p.worker(), p.node(),
                AuthToken.result(secret, p.node(), r.jobId(), r.attempt(), String.valueOf(r.status()))));
    }

    private void onFlush() {
        if (run == null) return;
        run.flushScheduled = false;
        if (run.pending.isEmpty()) return;
        List<Pending> batch = new ArrayList<>(run.pending);
        run.pending.clear();
        List<JournalRecord> records = new ArrayList<>(batch.size());
        batch.forEach(p -> records.add(new JournalRecord.Result(p.result())));
        try {
            run.setup.journal().appendAll(records);
        } catch (IOException e) {
            journalFailed(e);
            return;
        }
        for (Pending p : batch) {
            apply(p.result());
            run.pendingAcks.remove(p.result().jobId()).forEach(w -> w.tell(new ResultAck(p.result().jobId(), tokenFor(w))));
        }
        checkDone();
    }

    private void onPhase(JobPhase p) {
        if (!authentic(p.node(), p.authToken(), AuthToken.phase(secret, p.node(), p.jobId(), p.attempt(), p.phase()))) {
            ignored("JobPhase", p.node(), "wrong or missing shared secret");
            return;
        }
        if (run == null) return;
        JobSpec j = run.byId.get(p.jobId());
        if (j == null || run.hasResult(p.jobId())) return;
        WorkerState holder = workers.get(run.holder.get(p.jobId()));
        if (holder == null || holder.capacity == null || !holder.capacity.nodeId().equals(p.node())
                || p.attempt() != run.attemptOf(p.jobId())) {
            ignored("JobPhase", p.node(), "job " + p.jobId() + " attempt " + p.attempt() + " is not held by that node");
            return;
        }
        run.setup.listener().onPhase(p.jobId(), j.variantName(), Untrusted.line(p.phase(), 32), Untrusted.line(p.node(), 64));
    }

    private void onFetchChunk(FetchChunk f) {
        if (f.replyTo() == null || !authentic(f.node(), f.authToken(), AuthToken.fetch(secret, f.node(), f.sha256(), f.offset()))) {
            ignored("FetchChunk", f.node(), "wrong or missing shared secret");
            return;
        }
        artifactServer.tell(new ArtifactServer.Serve(f));
    }

    private void onReachability(MemberReachability m) {
        workers.forEach((ref, ws) -> {
            if (!ws.address.equals(m.address())) return;
            String node = ws.capacity == null ? ref.path().toString() : ws.capacity.nodeId();
            if (m.reachable()) {
                getContext().getLog().warn("worker {} is reachable again; it kept its {} job(s)", node, ws.inflight.size());
            } else {
                getContext().getLog().warn("worker {} is unreachable; its {} job(s) stay with it until it is removed from the cluster "
                        + "(then they are re-queued) or their lease ends", node, ws.inflight.size());
            }
        });
    }

    private void onMemberLost(MemberLost m) {
        List<ActorRef<WorkerMsg>> lost = new ArrayList<>();
        workers.forEach((ref, ws) -> {
            if (ws.address.equals(m.address())) lost.add(ref);
        });
        lost.forEach(ref -> loseWorker(ref, "node " + m.address() + " " + m.why()));
    }

    private void loseWorker(ActorRef<WorkerMsg> ref, String why) {
        WorkerState ws = workers.remove(ref);
        if (ws == null) return;
        getContext().unwatch(ref);
        if (ws.capacity != null) assemblies.keySet().removeIf(k -> k.startsWith(ws.capacity.nodeId() + '\0'));
        if (run == null) return;
        int requeued = 0;
        for (JobSpec j : ws.inflight.values()) {
            if (run.hasResult(j.jobId()) || !ref.equals(run.holder.get(j.jobId()))) continue;
            int current = run.attemptOf(j.jobId());
            String reason = "worker " + (ws.capacity == null ? ref.path() : ws.capacity.nodeId()) + " lost: " + why;
            if (current + 1 < run.setup.options().maxAttempts()) {
                if (ws.capacity != null) run.failedOn.computeIfAbsent(j.jobId(), k -> new java.util.HashSet<>()).add(ws.capacity.nodeId());
                if (!retry(j, current, reason)) return;
                requeued++;
            } else {
                JobSpec spec = run.byId.get(j.jobId()).withAttempt(current);
                if (!record(JobResult.of(spec, JobStatus.INFRA_ERROR, "gave up after " + (current + 1)
                        + " attempt(s); last: " + reason, ws.capacity == null ? "" : ws.capacity.nodeId(), ""))) return;
            }
        }
        getContext().getLog().warn("{}; re-queued {} job(s)", why, requeued);
        if (run != null) {
            checkDone();
            notifyHungry();
        }
    }

    /**
     * A job whose holder sent no result within its timeout plus the lease margin (its AssignJobs or its
     * result lost, the worker wedged but still a member) is taken back: the attempt is journaled as lost and
     * the job re-queued, on another worker where one can host it. A late result of that attempt is then an
     * older attempt's: acknowledged and dropped, so the job is decided once.
     */
    private void expireLeases() {
        long now = System.nanoTime();
        List<String> expired = new ArrayList<>();
        long margin = run.setup.options().leaseMargin().toNanos();
        run.assignedAt.forEach((id, at) -> {
            if (now - at - margin - TimeUnit.MILLISECONDS.toNanos(run.byId.get(id).timeoutMs()) > 0) expired.add(id);
        });
        boolean requeued = false;
        for (String id : expired) {
            run.assignedAt.remove(id);
            ActorRef<WorkerMsg> holder = run.holder.get(id);
            if (holder == null || run.hasResult(id)) continue;
            WorkerState ws = workers.get(holder);
            String node = ws == null || ws.capacity == null ? holder.path().toString() : ws.capacity.nodeId();
            if (ws != null) ws.inflight.remove(id);
            JobSpec j = run.byId.get(id);
            int current = run.attemptOf(id);
            String reason = "lease expired: worker " + node + " sent no result within the job's timeout ("
                    + j.timeoutMs() / 1000 + " s) plus " + run.setup.options().leaseMargin().toSeconds() + " s";
            getContext().getLog().warn("run {}: job {} attempt {}: {}", run.setup.runId(), j.variantName(), current, reason);
            if (current + 1 < run.setup.options().maxAttempts()) {
                run.failedOn.computeIfAbsent(id, k -> new java.util.HashSet<>()).add(node);
                if (!retry(j, current, reason)) return;
                requeued = true;
            } else if (!record(JobResult.of(j.withAttempt(current), JobStatus.INFRA_ERROR, "gave up after " + (current + 1)
                    + " attempt(s); last: " + reason, node, ""))) {
                return;
            }
        }
        if (!expired.isEmpty()) {
            checkDone();
            if (requeued) notifyHungry();
        }
    }

    /**
     * Jobs handed to this worker more than the reconcile grace ago that it does not list as held (running or
     * result unacknowledged): the assignment never arrived, or the worker lost the job. Taken back now instead
     * of at the lease's end. False when the journal failed.
     */
    private boolean reconcile(ActorRef<WorkerMsg> worker, WorkerState ws, java.util.Set<String> held) {
        long graceNanos = run.setup.options().reconcileGrace().toNanos();
        long now = System.nanoTime();
        List<JobSpec> missing = new ArrayList<>();
        for (JobSpec j : ws.inflight.values()) {
            Long at = run.assignedAt.get(j.jobId());
            if (held.contains(j.jobId()) || at == null || now - at < graceNanos || run.hasResult(j.jobId())
                    || !worker.equals(run.holder.get(j.jobId()))) continue;
            missing.add(j);
        }
        for (JobSpec j : missing) {
            ws.inflight.remove(j.jobId());
            int current = run.attemptOf(j.jobId());
            String reason = "worker " + ws.capacity.nodeId() + " does not hold it " + run.setup.options().reconcileGrace().toSeconds()
                    + " s after it was assigned (the assignment was lost)";
            getContext().getLog().warn("run {}: job {} attempt {}: {}; re-queued", run.setup.runId(), j.variantName(), current, reason);
            if (current + 1 < run.setup.options().maxAttempts()) {
                if (!retry(j, current, reason)) return false;
            } else if (!record(JobResult.of(j.withAttempt(current), JobStatus.INFRA_ERROR, "gave up after " + (current + 1)
                    + " attempt(s); last: " + reason, ws.capacity.nodeId(), ""))) {
                return false;
            }
        }
        if (!missing.isEmpty()) checkDone();
        return true;
    }

    /** A worker with this many infrastructure errors in a row gets no more jobs of the run while another can run them. */
    static final int QUARANTINE_AFTER = 3;

    private void countForQuarantine(String node, JobResult r) {
        if (r.status() != JobStatus.INFRA_ERROR) {
            run.infraStreak.remove(node);
            return;
        }
        int n = run.infraStreak.merge(node, 1, Integer::sum);
        if (n < QUARANTINE_AFTER || run.quarantined.containsKey(node) || !anotherWorkerThan(node)) return;
        String why = node + " (" + n + " infrastructure errors in a row, the last: " + Untrusted.line(r.message(), 200) + ")";
        run.quarantined.put(node, why);
        run.quarantineLog.add(why);
        getContext().getLog().warn("run {}: quarantined worker {}; its jobs go to the other workers", run.setup.runId(), why);
    }

    private boolean anotherWorkerThan(String node) {
        return workers.values().stream().anyMatch(w -> w.capacity != null && !w.capacity.nodeId().equals(node)
                && !run.quarantined.containsKey(w.capacity.nodeId()));
    }

    /** A quarantined worker runs again when it is the only one left: a run must not wait for workers that left. */
    private boolean liftQuarantine(String node) {
        if (anotherWorkerThan(node)) return false;
        getContext().getLog().warn("run {}: quarantine of worker {} lifted: no other worker is left", run.setup.runId(), node);
        run.quarantined.remove(node);
        run.infraStreak.remove(node);
        run.quarantineLog.add(node + " released: no other worker was left");
        return true;
    }

    /** Journals the lost attempt and puts the job back in the queue; false when the journal failed. */
    private boolean retry(JobSpec j, int failedAttempt, String reason) {
        if (!journal(new JournalRecord.Retry(j.jobId(), failedAttempt, Untrusted.line(reason, 1024)))) return false;
        getContext().getLog().warn("run {}: job {} ({}) attempt {} of {} failed: {}; it will be retried", run.setup.runId(), j.jobId(),
                j.variantName(), failedAttempt + 1, run.setup.options().maxAttempts(), Untrusted.line(reason, 300));
        run.attempts.put(j.jobId(), failedAttempt + 1);
        run.holder.remove(j.jobId());
        run.assignedAt.remove(j.jobId());
        run.queue.put(j.jobId(), run.byId.get(j.jobId()).withAttempt(failedAttempt + 1));
        return true;
    }

    private JobResult sanitize(JobResult r) {
        JobSpec spec = run.byId.get(r.jobId());
        return new JobResult(r.jobId(), spec.variantName(), r.status(), Untrusted.text(r.message(), MAX_MESSAGE_CHARS),
                Untrusted.text(r.details(), MAX_DETAILS_CHARS), Untrusted.line(r.workerNode(), 128),
                Untrusted.line(r.accelerator(), 16), r.phaseTimingsMs(), r.attempt(), r.outcome());
    }

    /** Journals (fsync) and records the job's one result; false when the journal failed (run aborted). */
    private boolean record(JobResult r) {
        if (!journal(new JournalRecord.Result(r))) return false;
        apply(r);
        return true;
    }

    /** Takes a journaled result into the run's state. */
    private void apply(JobResult r) {
        run.results.put(r.jobId(), r);
        run.counts.merge(r.status(), 1, Integer::sum);
        run.executed++;
        run.queue.remove(r.jobId());
        run.holder.remove(r.jobId());
        run.assignedAt.remove(r.jobId());
        for (WorkerState ws : workers.values()) ws.inflight.remove(r.jobId());
        run.setup.listener().onResult(r);
    }

    private boolean journal(JournalRecord rec) {
        try {
            run.setup.journal().append(rec);
            return true;
        } catch (IOException e) {
            journalFailed(e);
            return false;
        }
    }

    private void journalFailed(IOException e) {
        abortRun(new IOException("cannot write the run journal " + run.setup.journal().file() + ": " + e.getMessage()
                + "; the run stopped, results acknowledged so far are safe: fix the disk and resume with --resume "
                + run.setup.runId(), e));
    }

    private void abortRun(Throwable why) {
        RunState r = run;
        run = null;
        artifactServer.tell(new ArtifactServer.Offer(null));
        try {
            r.setup.journal().close();
        } catch (IOException e) {
            // already failing
        }
        r.setup.completion().completeExceptionally(why);
    }

    private void checkDone() {
        if (run == null || run.results.size() < run.byId.size()) return;
        RunState r = run;
        journal(new JournalRecord.End(Instant.now().toString(), r.results.size()));
        if (run == null) return;
        run = null;
        artifactServer.tell(new ArtifactServer.Offer(null));
        try {
            r.setup.journal().close();
        } catch (IOException e) {
            getContext().getLog().warn("closing journal: {}", e.getMessage());
        }
        double secs = Math.max(1e-9, (System.nanoTime() - r.startNanos) / 1e9);
        List<JobResult> ordered = r.byId.keySet().stream().map(r.results::get).toList();
        int n = Math.max(1, r.executed);
        RunSummary summary = new RunSummary(r.setup.runId(), r.setup.journal().file(), ordered, r.resumed,
                (long) (secs * 1000), r.executed / secs, r.actorNanos / 1000.0 / n, r.setup.journal().syncNanos() / 1000.0 / n,
                r.quarantineLog);
        r.setup.progress().set(progressOf(r));
        r.setup.listener().onFinished(summary);
        r.setup.completion().complete(summary);
        for (WorkerState ws : workers.values()) ws.inflight.clear();
    }

    private void onTick() {
        if (run == null) return;
        if (failIfIdle()) return;
        expireLeases();
        skipUnplaceable();
        publishProgress(false);
    }

    /**
     * With jobs left and no worker for the idle limit (none ever joined, or all were lost), the run
     * fails with a message: waiting forever would hide the problem. True when it failed.
     */
    private boolean failIfIdle() {
        long now = System.nanoTime();
        if (!workers.isEmpty()) {
            lastWorkerSeenNanos = now;
            return false;
        }
        long since = Math.max(lastWorkerSeenNanos, run.startNanos);
        Duration limit = run.setup.options().idleLimit();
        if (now - since < limit.toNanos()) return false;
        int left = run.byId.size() - run.results.size();
        boolean everHad = lastWorkerSeenNanos > run.startNanos;
        String msg = "run " + run.setup.runId() + ": " + (everHad ? "all workers were lost" : "no worker joined")
                + " and none came for " + limit.toSeconds() + " s (the idle limit) with " + left + " job(s) left; start workers with"
                + " `ktstr worker --join HOST:PORT` (same --secret-file), then continue with `ktstr coordinator --resume "
                + run.setup.runId() + "`, or raise --idle-limit";
        getContext().getLog().error(msg);
        abortRun(new IllegalStateException(msg));
        return true;
    }

    /**
     * A job no known worker could host even when idle waits {@code unplaceableGrace} after the
     * last worker joined (a bigger one may come), then gets a SKIP result saying why. Busy workers
     * do not delay this: what fits an idle worker is all a worker can ever offer.
     */
    private void skipUnplaceable() {
        if (run == null || run.queue.isEmpty() || workers.isEmpty()) return;
        if (workers.values().stream().anyMatch(w -> w.capacity == null)) return;
        long since = Math.max(lastWorkerJoinNanos, run.startNanos);
        if (System.nanoTime() - since < run.setup.options().unplaceableGrace().toNanos()) return;
        double oc = run.setup.options().tcgOvercommit();
        for (JobSpec j : new ArrayList<>(run.queue.values())) {
            boolean anyFits = workers.values().stream().anyMatch(w -> Placement.fitsEmpty(j, w.capacity, oc));
            if (!anyFits) {
                WorkerCapacity biggest = workers.values().stream().map(w -> w.capacity)
                        .max((a, b) -> Integer.compare(a.hostCpus(), b.hostCpus())).orElseThrow();
                String fix = j.performanceMode() ? "add a worker with that many CPUs (performance mode never overcommits)"
                        : biggest.isTcg() ? "add a larger worker, or let TCG workers overcommit vCPUs (ktstr coordinator --tcg-overcommit "
                        + (int) Math.ceil((double) j.vcpus() / Math.max(1, biggest.hostCpus())) + ")"
                        : "add a worker with enough CPUs and memory";
                if (!record(JobResult.of(j, JobStatus.SKIP, "no worker can host this VM: it needs " + j.vcpus() + " vCPUs and "
                        + j.memoryMb() + " MiB" + (j.performanceMode() ? " in performance mode" : "") + "; the largest of "
                        + workers.size() + " worker(s) (" + biggest.nodeId() + ") has " + biggest.hostCpus() + " CPUs ("
                        + biggest.accelerator() + ", overcommit " + oc + ") and " + biggest.memoryMb() + " MiB: " + fix, "", ""))) return;
            }
        }
        checkDone();
    }

    private void publishProgress(boolean forcePrint) {
        if (run == null) return;
        RunProgress p = progressOf(run);
        run.setup.progress().set(p);
        long now = System.nanoTime();
        if (forcePrint || now - run.lastPrint >= run.setup.options().progressInterval().toNanos()) {
            run.lastPrint = now;
            run.setup.listener().onProgress(p);
        }
    }

    private RunProgress progressOf(RunState r) {
        List<RunProgress.WorkerLoad> loads = new ArrayList<>();
        for (WorkerState ws : workers.values()) {
            if (ws.capacity == null) continue;
            Placement.Usage u = ws.usage();
            loads.add(new RunProgress.WorkerLoad(ws.capacity.nodeId(), u.jobs(), ws.capacity.slots(), u.vcpus(),
                    ws.capacity.hostCpus(), ws.capacity.accelerator()));
        }
        long elapsedNanos = System.nanoTime() - r.startNanos;
        double rate = r.executed / Math.max(1e-9, elapsedNanos / 1e9);
        int remaining = r.byId.size() - r.results.size();
        long eta = remaining == 0 ? 0 : rate > 0 ? (long) Math.ceil(remaining / rate) : -1;
        return new RunProgress(r.setup.runId(), r.byId.size(), r.results.size(), r.holder.size(), r.queue.size(),
                r.counts.get(JobStatus.PASS), r.counts.get(JobStatus.FAIL) + r.counts.get(JobStatus.TIMEOUT),
                r.counts.get(JobStatus.SKIP), r.counts.get(JobStatus.INFRA_ERROR), loads, rate, eta, elapsedNanos / 1_000_000);
    }

    private void notifyHungry() {
        if (run == null || run.queue.isEmpty()) return;
        for (Map.Entry<ActorRef<WorkerMsg>, WorkerState> e : workers.entrySet()) {
            if (e.getValue().hungry) {
                e.getValue().hungry = false;
                e.getKey().tell(new WorkAvailable(getContext().getSelf(), tokenFor(e.getKey())));
            }
        }
    }

    private Behavior<CoordinatorMsg> onClose(Close c) {
        workers.keySet().forEach(w -> w.tell(new CoordinatorClosing(c.reason(), tokenFor(w))));
        if (run != null) {
            abortRun(new IllegalStateException("the coordinator closed before run " + run.setup.runId()
                    + " finished; continue it with `ktstr coordinator --resume " + run.setup.runId() + "`"));
        }
        c.replyTo().tell(Done.getInstance());
        return this;
    }

    private Address addressOf(ActorRef<?> ref) {
        Address a = ref.path().address();
        return a.hasLocalScope() ? selfAddress : a;
    }
}
