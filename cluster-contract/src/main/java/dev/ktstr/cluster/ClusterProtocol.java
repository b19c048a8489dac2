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

    /** Worker -> coordinator. {@code authToken} is the HMAC of the node id under the shared secret, or empty. */
    public record RequestWork(ActorRef<WorkerMsg> worker, WorkerCapacity capacity, int freeSlots, String authToken)
            implements CoordinatorMsg, CborSerializable {
    }

    public record JobPhase(String jobId, int attempt, String phase, String node) implements CoordinatorMsg, CborSerializable {
    }

    public record JobFinished(JobResult result, ActorRef<WorkerMsg> worker) implements CoordinatorMsg, CborSerializable {
    }

    /** Ask for {@code length} bytes of an artifact the coordinator offered, from {@code offset}. */
    public record FetchChunk(String sha256, long offset, ActorRef<ArtifactChunk> replyTo)
            implements CoordinatorMsg, CborSerializable {
    }

    /** {@code error} non-empty means the coordinator refuses or cannot read it. */
    public record ArtifactChunk(String sha256, long offset, byte[] data, long totalSize, boolean last, String error)
            implements CborSerializable {
    }

    /** Coordinator -> worker. */
    public record AssignJobs(List<JobSpec> jobs, ActorRef<CoordinatorMsg> coordinator) implements WorkerMsg, CborSerializable {
    }

    public record NoWork() implements WorkerMsg, CborSerializable {
    }

    public record WorkAvailable() implements WorkerMsg, CborSerializable {
    }

    public record ResultAck(String jobId) implements WorkerMsg, CborSerializable {
    }

    /** The coordinator refuses this worker (bad secret); the worker exits with {@code reason}. */
    public record Rejected(String reason) implements WorkerMsg, CborSerializable {
    }

    /** The coordinator is going away on purpose (run finished); the worker exits cleanly. */
    public record CoordinatorClosing(String reason) implements WorkerMsg, CborSerializable {
    }

    public static final int CHUNK_BYTES = 256 * 1024;
}
