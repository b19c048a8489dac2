package dev.ktstr.cli.cluster;

import dev.ktstr.cluster.ClusterProtocol;
import dev.ktstr.cluster.ClusterProtocol.AssignJobs;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorClosing;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorMsg;
import dev.ktstr.cluster.ClusterProtocol.FetchChunk;
import dev.ktstr.cluster.ClusterProtocol.JobFinished;
import dev.ktstr.cluster.ClusterProtocol.JobPhase;
import dev.ktstr.cluster.ClusterProtocol.NoWork;
import dev.ktstr.cluster.ClusterProtocol.Rejected;
import dev.ktstr.cluster.ClusterProtocol.RequestWork;
import dev.ktstr.cluster.ClusterProtocol.ResultAck;
import dev.ktstr.cluster.ClusterProtocol.WorkAvailable;
import dev.ktstr.cluster.ClusterProtocol.WorkerMsg;
import dev.ktstr.cluster.ClusterSettings;
import dev.ktstr.coordinator.fake.FakePlan;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.job.WorkerCapacity;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node that joins a loopback run without the run's secret and sends every message kind both
 * ways: forged results, phases and chunk requests to the coordinator (also replaying a real
 * worker's request token under that worker's identity), and, having registered the coordinator
 * key itself, assignments, refusals, acks and "closing" to every worker that asks it for work.
 *
 * <p>Args: {@code JOIN_HOST:PORT RUN_ID JOBS}. Prints {@code rogue: ...} lines.
 */
public final class RogueNode {
    private RogueNode() {
    }

    private record Flood() {
    }

    public static void main(String[] args) throws Exception {
        String join = args[0];
        String runId = args[1];
        int jobs = Integer.parseInt(args[2]);
        List<JobSpec> runJobs = FakePlan.jobs(runId, jobs, 0, 1000);
        List<JobSpec> bogus = FakePlan.jobs("rogue", 3, 0, 1000);
        ClusterSettings s = ClusterSettings.loopback(0, List.of(join), List.of("worker")).withSecret("rogue-secret-not-the-runs-secret");
        Behavior<Object> b = Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ActorRef<CoordinatorMsg> asCoordinator = ctx.getSelf().narrow();
            ActorRef<WorkerMsg> asWorker = ctx.getSelf().narrow();
            ctx.getSystem().receptionist().tell(Receptionist.register(ClusterProtocol.COORDINATOR_KEY, asCoordinator));
            // subscribe through an adapter: one actor may not be both a registered service and a subscriber
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(ClusterProtocol.COORDINATOR_KEY,
                    ctx.messageAdapter(Receptionist.Listing.class, l -> l)));
            timers.startTimerWithFixedDelay(new Flood(), Duration.ofSeconds(1));
            Set<ActorRef<CoordinatorMsg>> coordinators = new HashSet<>();
            Map<ActorRef<WorkerMsg>, RequestWork> seenWorkers = new HashMap<>();
            int[] sent = new int[1];
            return Behaviors.receive(Object.class)
                    .onMessage(Receptionist.Listing.class, l -> {
                        for (ActorRef<CoordinatorMsg> c : l.getServiceInstances(ClusterProtocol.COORDINATOR_KEY)) {
                            if (!c.equals(asCoordinator) && coordinators.add(c)) System.err.println("rogue: found coordinator " + c.path());
                        }
                        return Behaviors.same();
                    })
                    .onMessage(RequestWork.class, rw -> {
                        // a real worker took us for its coordinator: answer with everything a coordinator may say
                        if (seenWorkers.put(rw.worker(), rw) == null) System.err.println("rogue: worker asked us for work " + rw.capacity().nodeId());
                        ActorRef<WorkerMsg> w = rw.worker();
                        w.tell(new AssignJobs(bogus, asCoordinator, "forged"));
                        w.tell(new AssignJobs(bogus, asCoordinator, rw.authToken())); // its own token, replayed
                        w.tell(new NoWork(asCoordinator, "forged"));
                        w.tell(new WorkAvailable(asCoordinator, "forged"));
                        for (JobSpec j : runJobs) w.tell(new ResultAck(j.jobId(), "forged"));
                        w.tell(new CoordinatorClosing("rogue says the run is over", "forged"));
                        w.tell(new Rejected(asCoordinator, "rogue says go away"));
                        sent[0] += 6 + runJobs.size();
                        return Behaviors.same();
                    })
                    .onMessage(Flood.class, f -> {
                        for (ActorRef<CoordinatorMsg> c : coordinators) {
                            c.tell(new RequestWork(asWorker, new WorkerCapacity("rogue", 64, 1, 1, 64_000, "kvm", Set.of(), false, 64),
                                    64, "forged"));
                            for (JobSpec j : runJobs) {
                                JobResult forged = new JobResult(j.jobId(), j.variantName(), JobStatus.FAIL, "ROGUE", "ROGUE", "rogue",
                                        "kvm", Map.of(), 0, null);
                                c.tell(new JobFinished(forged, asWorker, "rogue", "forged"));
                                c.tell(new JobPhase(j.jobId(), 0, "ROGUE", "rogue", "forged"));
                                // impersonate each worker that asked us for work, with the token it gave us
                                for (RequestWork rw : seenWorkers.values()) {
                                    JobResult as = new JobResult(j.jobId(), j.variantName(), JobStatus.FAIL, "ROGUE", "ROGUE",
                                            rw.capacity().nodeId(), "kvm", Map.of(), j.attempt(), null);
                                    c.tell(new JobFinished(as, rw.worker(), rw.capacity().nodeId(), rw.authToken()));
                                    c.tell(new JobPhase(j.jobId(), 0, "ROGUE", rw.capacity().nodeId(), rw.authToken()));
                                }
                            }
                            c.tell(new FetchChunk("0".repeat(64), 0, ctx.getSelf().narrow(), "rogue", "forged"));
                            sent[0] += 2 + runJobs.size() * (2 + 2 * seenWorkers.size());
                        }
                        return Behaviors.same();
                    })
                    .onAnyMessage(m -> {
                        System.err.println("rogue: got " + m.getClass().getSimpleName());
                        return Behaviors.same();
                    })
                    .build();
        }));
        ActorSystem<Object> system = ActorSystem.create(b, ClusterSettings.SYSTEM_NAME, s.toConfig());
        System.err.println("rogue: node " + system.address() + " joining " + join);
        system.getWhenTerminated().toCompletableFuture().join();
    }
}
