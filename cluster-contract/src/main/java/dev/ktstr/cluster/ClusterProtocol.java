package dev.ktstr.cluster;

import dev.ktstr.protocol.job.CborSerializable;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.WorkerCapacity;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

import java.util.List;

/**
 * Messages between the coordinator and worker nodes. Work is pulled: a worker with free slots
 * sends {@link RequestWork}; the coordinator answers {@link AssignJobs} (what fits its free
 * capacity) or {@link NoWork} and later {@link WorkAvailable}. Results are re-sent until
 * {@link ResultAck}, which the coordinator sends only after the result is journaled.
 */
public final class ClusterProtocol {
    private ClusterProtocol() {
    }

    /** Everything the coordinator actor accepts (cluster messages and its own internal ones). */
    public interface CoordinatorMsg {
    }

    /** Everything a worker node actor accepts. */
    public interface WorkerMsg {
    }

    public static final ServiceKey<CoordinatorMsg> COORDINATOR_KEY =
            ServiceKey.create(CoordinatorMsg.class, "ktstr-coordinator");

    /*
     * Authentication: every worker -> coordinator message names the sending node and carries
     * AuthToken.worker(secret, node); every coordinator -> worker message carries
     * AuthToken.coordinator(secret, addressee). Receivers drop (and log) anything else.
     */

    /** Worker -> coordinator. {@code authToken} = {@link AuthToken#worker} of {@code capacity.nodeId()}. */
    /**
     * @param held      the job ids the worker runs or holds an unacknowledged result of (null: not reported); the
     *                  coordinator takes back a job it handed this worker long ago that is not among them
     * @param heldToken {@link AuthToken#held} over {@code held}
     */
    public record RequestWork(ActorRef<WorkerMsg> worker, WorkerCapacity capacity, int freeSlots, String authToken,
                              List<String> held, String heldToken)
            implements CoordinatorMsg, CborSerializable {
        public RequestWork(ActorRef<WorkerMsg> worker, WorkerCapacity capacity, int freeSlots, String authToken) {
            this(worker, capacity, freeSlots, authToken, null, null);
        }
    }

    public record JobPhase(String jobId, int attempt, String phase, String node, String authToken)
            implements CoordinatorMsg, CborSerializable {
    }

    /** Accepted only from the node that holds the job's current attempt. */
    public record JobFinished(JobResult result, ActorRef<WorkerMsg> worker, String node, String authToken)
            implements CoordinatorMsg, CborSerializable {
    }

    /**
     * One part of a result whose serialised form is over {@link ResultParts#INLINE_LIMIT} (Artery drops
     * messages over its 1 MiB frame): the CBOR bytes of the {@link JobResult}, sent in order from offset
     * 0; {@code sha256} is the whole payload's, checked after the last part. Accepted under the same rules
     * as {@link JobFinished}.
     */
    public record JobFinishedPart(String jobId, int attempt, long offset, byte[] data, long totalSize, String sha256,
                                  ActorRef<WorkerMsg> worker, String node, String authToken)
            implements CoordinatorMsg, CborSerializable {
    }

    /** Ask for {@code length} bytes of an artifact the coordinator offered, from {@code offset}. */
    public record FetchChunk(String sha256, long offset, ActorRef<ArtifactChunk> replyTo, String node, String authToken)
            implements CoordinatorMsg, CborSerializable {
    }

    /** {@code error} non-empty means the coordinator refuses or cannot read it. */
    public record ArtifactChunk(String sha256, long offset, byte[] data, long totalSize, boolean last, String error)
            implements CborSerializable {
    }

    /** Coordinator -> worker. */
    public record AssignJobs(List<JobSpec> jobs, ActorRef<CoordinatorMsg> coordinator, String authToken)
            implements WorkerMsg, CborSerializable {
    }

    public record NoWork(ActorRef<CoordinatorMsg> coordinator, String authToken) implements WorkerMsg, CborSerializable {
    }

    public record WorkAvailable(ActorRef<CoordinatorMsg> coordinator, String authToken) implements WorkerMsg, CborSerializable {
    }

    public record ResultAck(String jobId, String authToken) implements WorkerMsg, CborSerializable {
    }

    /**
     * The coordinator refuses this worker (bad secret). It cannot sign this (the worker's secret
     * differs), so a worker treats it as "this candidate is not my coordinator" and exits with
     * {@code reason} only when no authenticated coordinator is left.
     */
    public record Rejected(ActorRef<CoordinatorMsg> coordinator, String reason) implements WorkerMsg, CborSerializable {
    }

    /** The coordinator is going away on purpose (run finished); the worker exits cleanly. */
    public record CoordinatorClosing(String reason, String authToken) implements WorkerMsg, CborSerializable {
    }

    public static final int CHUNK_BYTES = 256 * 1024;
}
