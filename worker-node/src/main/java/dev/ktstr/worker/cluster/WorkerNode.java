package dev.ktstr.worker.cluster;

import dev.ktstr.cluster.ClusterProtocol;
import dev.ktstr.cluster.AuthToken;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.JobExecutor;
import dev.ktstr.cluster.ClusterProtocol.AssignJobs;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorClosing;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorMsg;
import dev.ktstr.cluster.ClusterProtocol.JobFinished;
import dev.ktstr.cluster.ClusterProtocol.JobFinishedPart;
import dev.ktstr.cluster.ResultCodec;
import dev.ktstr.cluster.ResultParts;
import dev.ktstr.cluster.ClusterProtocol.NoWork;
import dev.ktstr.cluster.ClusterProtocol.Rejected;
import dev.ktstr.cluster.ClusterProtocol.RequestWork;
import dev.ktstr.cluster.ClusterProtocol.ResultAck;
import dev.ktstr.cluster.ClusterProtocol.WorkAvailable;
import dev.ktstr.cluster.ClusterProtocol.WorkerMsg;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

import java.time.Duration;
import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.ArtifactRole;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A worker node: finds the coordinator through the receptionist, pulls jobs while it has free
 * slots, runs each in a {@link JobRunner} child, and re-sends each result until the coordinator
 * acknowledges it (after journaling). When the coordinator goes away it abandons running jobs
 * and stops, reporting why through {@code onExit}.
 */
public final class WorkerNode extends AbstractBehavior<WorkerMsg> {

    /** Why the worker stopped: {@code clean} when the coordinator closed the run on purpose. */
    public record Exit(boolean clean, String reason) {
    }

    private record CoordinatorListing(Receptionist.Listing listing) implements WorkerMsg {
    }

    private record CoordinatorGone(ActorRef<CoordinatorMsg> ref) implements WorkerMsg {
    }

    private record RunnerDone(JobRunner.Done done) implements WorkerMsg {
    }

    private record Tick() implements WorkerMsg {
    }

    private static final Duration RESEND_AFTER = Duration.ofSeconds(3);

    private final WorkerCapacity capacity;
    private final JobExecutor executor;
    private final String secret;
    private final String coordinatorToken;
    /** Nodes registered under the coordinator key that have not yet proven the secret (a rogue can register too). */
    private final Set<ActorRef<CoordinatorMsg>> candidates = new HashSet<>();
    private final Map<String, Integer> ignoredCounts = new HashMap<>();
    private String rejectedReason;
    private long rejectedAt;
    private final Consumer<Exit> onExit;
    private final ExecutorService threads;
    private final ActorRef<ArtifactFetcher.Command> fetcher;
    private final ActorRef<JobRunner.Done> doneAdapter;
    private final Map<String, ActorRef<JobRunner.Command>> running = new HashMap<>();
    private final Map<String, JobSpec> runningSpecs = new HashMap<>();
    private final Set<String> fetchedKernels = new HashSet<>();
    private final ArtifactCache cache;
    private final Consumer<String> events;
    private final Map<String, JobResult> unacked = new LinkedHashMap<>();
    private final Map<String, Long> sentAt = new HashMap<>();
    /** Serialised results too large for one message, kept until acknowledged (re-sent as parts). */
    private final Map<String, byte[]> encoded = new HashMap<>();
    private final ResultCodec codec;
    private ActorRef<CoordinatorMsg> coordinator;
    private long requestSentAt = -1;
    private boolean finishedSinceRequest;
    private String closingReason;

    public static Behavior<WorkerMsg> create(WorkerCapacity capacity, JobExecutor executor, ArtifactCache cache,
                                             String secret, Consumer<Exit> onExit) {
        return create(capacity, executor, cache, secret, onExit, null);
    }

    /** @param events receives one human-readable line per job assigned/finished and artifact fetched; null = none */
    public static Behavior<WorkerMsg> create(WorkerCapacity capacity, JobExecutor executor, ArtifactCache cache,
                                             String secret, Consumer<Exit> onExit, Consumer<String> events) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new WorkerNode(ctx, timers, capacity, executor, cache, secret, onExit, events)));
    }

    private WorkerNode(ActorContext<WorkerMsg> ctx, TimerScheduler<WorkerMsg> timers, WorkerCapacity capacity,
                       JobExecutor executor, ArtifactCache cache, String secret, Consumer<Exit> onExit,
                       Consumer<String> events) {
        super(ctx);
        this.events = events == null ? line -> { } : events;
        this.capacity = capacity;
        this.executor = executor;
        this.secret = secret;
        this.coordinatorToken = AuthToken.coordinator(secret, capacity.nodeId());
        this.onExit = onExit;
        this.cache = cache;
        this.codec = ResultCodec.of(ctx.getSystem());
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ktstr-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.fetcher = ctx.spawn(ArtifactFetcher.create(cache, this.events, capacity.nodeId(), secret), "artifacts");
        this.doneAdapter = ctx.messageAdapter(JobRunner.Done.class, RunnerDone::new);
        ActorRef<Receptionist.Listing> listingAdapter = ctx.messageAdapter(Receptionist.Listing.class, CoordinatorListing::new);
        ctx.getSystem().receptionist().tell(Receptionist.subscribe(ClusterProtocol.COORDINATOR_KEY, listingAdapter));
        timers.startTimerWithFixedDelay(new Tick(), Duration.ofSeconds(1));
    }

    @Override
    public Receive<WorkerMsg> createReceive() {
        return newReceiveBuilder()
                .onMessage(CoordinatorListing.class, this::onListing)
                .onMessage(AssignJobs.class, m -> {
                    if (fromCoordinator("AssignJobs", m.coordinator(), m.authToken())) onAssign(m);
                    return this;
                })
                .onMessage(NoWork.class, m -> {
                    if (!fromCoordinator("NoWork", m.coordinator(), m.authToken())) return this;
                    requestSentAt = -1;
                    // the answer may predate a job that finished meanwhile: ask again with the freed slot
                    if (finishedSinceRequest) requestWork();
                    return this;
                })
                .onMessage(WorkAvailable.class, m -> {
                    if (fromCoordinator("WorkAvailable", m.coordinator(), m.authToken())) requestWork();
                    return this;
                })
                .onMessage(RunnerDone.class, this::onRunnerDone)
                .onMessage(ResultAck.class, m -> {
                    if (coordinator == null || !AuthToken.check(secret, m.authToken(), coordinatorToken)) {
                        ignored("ResultAck", "?", "not signed with this cluster's secret");
                        return this;
                    }
                    unacked.remove(m.jobId());
                    sentAt.remove(m.jobId());
                    encoded.remove(m.jobId());
                    return this;
                })
                .onMessage(Tick.class, this::onTick)
                .onMessage(CoordinatorClosing.class, m -> {
                    if (coordinator == null || !AuthToken.check(secret, m.authToken(), coordinatorToken)) {
                        ignored("CoordinatorClosing", "?", "not signed with this cluster's secret");
                        return this;
                    }
                    closingReason = m.reason();
                    return this;
                })
                .onMessage(CoordinatorGone.class, this::onCoordinatorGone)
                .onMessage(Rejected.class, this::onRejected)
                .onSignal(PostStop.class, s -> {
                    threads.shutdownNow();
                    return this;
                })
                .build();
    }

    private void ignored(String kind, Object from, String why) {
        int n = ignoredCounts.merge(kind, 1, Integer::sum);
        if (n <= 20 || n % 1000 == 0) {
            getContext().getLog().warn("worker {} ignored {} #{} from {}: {}", capacity.nodeId(), kind, n, from, why);
        }
    }

    /**
     * True when the message is signed for this worker by the cluster's secret. The first such
     * message from a candidate makes it this worker's coordinator; nothing else is trusted.
     */
    private boolean fromCoordinator(String kind, ActorRef<CoordinatorMsg> from, String token) {
        if (from == null || !AuthToken.check(secret, token, coordinatorToken)) {
            ignored(kind, from == null ? "?" : from.path(), "not signed with this cluster's secret");
            return false;
        }
        if (coordinator == null) {
            if (!candidates.contains(from)) {
                ignored(kind, from.path(), "not registered as the coordinator");
                return false;
            }
            coordinator = from;
            getContext().watchWith(coordinator, new CoordinatorGone(coordinator));
            getContext().getLog().info("worker {} found coordinator {}", capacity.nodeId(), coordinator.path());
            unacked.values().forEach(this::sendResult);
            return true;
        }
        if (!coordinator.equals(from)) {
            ignored(kind, from.path(), "this worker already serves coordinator " + coordinator.path());
            return false;
        }
        return true;
    }

    private void sendResult(JobResult r) {
        // a local coordinator (one JVM) gets the object itself: nothing is serialised, no frame limit applies
        byte[] bytes = coordinator.path().address().hasLocalScope() ? null : encoded.computeIfAbsent(r.jobId(), id -> codec.encode(r));
        if (bytes == null || bytes.length <= ResultParts.INLINE_LIMIT) {
            encoded.remove(r.jobId());
            coordinator.tell(new JobFinished(r, getContext().getSelf(), capacity.nodeId(),
                    AuthToken.result(secret, capacity.nodeId(), r.jobId(), r.attempt(), String.valueOf(r.status()))));
            return;
        }
        String sha = ResultParts.sha256(bytes);
        long offset = 0;
        for (byte[] part : ResultParts.split(bytes)) {
            coordinator.tell(new JobFinishedPart(r.jobId(), r.attempt(), offset, part, bytes.length, sha, getContext().getSelf(),
                    capacity.nodeId(), AuthToken.resultPart(secret, capacity.nodeId(), r.jobId(), r.attempt(), offset, bytes.length, sha)));
            offset += part.length;
        }
    }

    private Behavior<WorkerMsg> onListing(CoordinatorListing l) {
        var refs = l.listing().getServiceInstances(ClusterProtocol.COORDINATOR_KEY);
        if (coordinator != null) return this; // proven; the watch tells when it goes
        boolean added = candidates.addAll(refs);
        candidates.retainAll(refs);
        if (added) {
            requestSentAt = -1;
            requestWork();
        }
        return this;
    }

    /**
     * A coordinator with another secret cannot sign its refusal, so neither can a rogue be told
     * apart from it: the worker exits only when no candidate proved the secret within 10 s.
     */
    private Behavior<WorkerMsg> onRejected(Rejected m) {
        if (coordinator != null) {
            ignored("Rejected", m.coordinator() == null ? "?" : m.coordinator().path(), "this worker already has an authenticated coordinator");
            return this;
        }
        if (rejectedReason == null) {
            rejectedReason = m.reason();
            rejectedAt = System.nanoTime();
        }
        return this;
    }

    private void requestWork() {
        int free = capacity.slots() - running.size();
        if ((coordinator == null && candidates.isEmpty()) || free <= 0 || closingReason != null) return;
        // one outstanding request at a time; a lost reply is retried after RESEND_AFTER
        if (requestSentAt >= 0 && System.nanoTime() - requestSentAt < RESEND_AFTER.toNanos()) return;
        requestSentAt = System.nanoTime();
        finishedSinceRequest = false;
        Set<String> kernels = new HashSet<>(capacity.cachedKernels());
        kernels.addAll(fetchedKernels);
        kernels.addAll(executor.cachedKernelDigests());
        // what this worker holds, so the coordinator can take back an assignment that never arrived
        Set<String> held = new HashSet<>(running.keySet());
        held.addAll(unacked.keySet());
        RequestWork rw = new RequestWork(getContext().getSelf(), capacity.withCachedKernels(kernels), free,
                AuthToken.request(secret, capacity.nodeId()), List.copyOf(held), AuthToken.held(secret, capacity.nodeId(), held));
        // until one candidate proves the secret, every candidate is asked (the request token is useless to a rogue)
        if (coordinator != null) {
            coordinator.tell(rw);
        } else {
            candidates.forEach(c -> c.tell(rw));
        }
    }

    private void onAssign(AssignJobs a) {
        requestSentAt = -1;
        for (JobSpec job : a.jobs()) {
            if (running.containsKey(job.jobId())) continue; // duplicate delivery
            ActorRef<JobRunner.Command> r = getContext().spawnAnonymous(
                    JobRunner.create(job, executor, threads, fetcher, coordinator, doneAdapter, capacity.nodeId(), secret));
            running.put(job.jobId(), r);
            runningSpecs.put(job.jobId(), job);
            events.accept("job " + job.variantName() + " [" + job.topology().render() + "]" + (job.attempt() > 0 ? " attempt "
                    + (job.attempt() + 1) : "") + ": assigned");
        }
        requestWork();
    }

    private Behavior<WorkerMsg> onRunnerDone(RunnerDone d) {
        JobResult r = d.done().result();
        running.remove(r.jobId());
        JobSpec spec = runningSpecs.remove(r.jobId());
        if (spec != null) {
            // kernel images now verified in the cache make this worker the better home for that kernel's jobs
            for (ArtifactRef a : spec.artifacts()) {
                if (a.role() == ArtifactRole.KERNEL_IMAGE && cache.contains(a)) fetchedKernels.add(a.sha256());
            }
        }
        Long total = r.phaseTimingsMs().get("total");
        events.accept("job " + r.variantName() + ": " + r.status() + (total == null ? "" : String.format(java.util.Locale.ROOT,
                " in %.1f s", total / 1000.0)) + " - " + JobRunner.cap(r.message(), 200));
        finishedSinceRequest = true;
        unacked.put(r.jobId(), r);
        sentAt.put(r.jobId(), System.nanoTime());
        if (coordinator != null) sendResult(r);
        requestWork();
        return this;
    }

    private Behavior<WorkerMsg> onTick(Tick t) {
        long now = System.nanoTime();
        if (coordinator != null) {
            for (var e : sentAt.entrySet()) {
                if (now - e.getValue() > RESEND_AFTER.toNanos()) {
                    e.setValue(now);
                    sendResult(unacked.get(e.getKey()));
                }
            }
        } else if (rejectedReason != null && now - rejectedAt > Duration.ofSeconds(10).toNanos()) {
            return stop(new Exit(false, "coordinator rejected this worker: " + rejectedReason));
        }
        requestWork();
        return this;
    }

    private Behavior<WorkerMsg> onCoordinatorGone(CoordinatorGone g) {
        if (!g.ref().equals(coordinator)) return this;
        if (closingReason != null) {
            return stop(new Exit(true, "coordinator finished: " + closingReason));
        }
        return stop(new Exit(false, "lost contact with the coordinator " + g.ref().path().address()
                + " (it stopped or became unreachable and was downed); abandoned " + running.size()
                + " running job(s) and " + unacked.size() + " unacknowledged result(s): the coordinator's journal "
                + "decides what is re-run on resume"));
    }

    private Behavior<WorkerMsg> stop(Exit exit) {
        running.values().forEach(r -> r.tell(new JobRunner.Abandon()));
        onExit.accept(exit);
        return Behaviors.stopped();
    }
}
