package dev.ktstr.protocol.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ktstr.protocol.topology.Topology;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One VM job: a test variant bound to a topology, kernel and scheduler. A job needs a whole VM's
 * worth of worker capacity ({@link #vcpus()} CPUs and {@link #memoryMb()} MiB).
 *
 * @param jobId stable id, {@link #jobIdFor(String, String)} of run id and variant name
 * @param variantName {@code ktstr/<test>} or {@code gauntlet/<test>/<preset>/<profile>[/<kernel>]}
 * @param attempt 0 for the first try; the coordinator increments it when it re-queues the job
 * @param verdict how the coordinator judges the job's outcome (from the test's resolved config)
 * @param testConfig the test's config as the coordinator resolved it (scenario {@code TestConfig} JSON,
 *                   topology bound): the worker and the guest read it instead of loading the user's
 *                   classes; null only for jobs that run no test (the fake executor's)
 */
public record JobSpec(
        String jobId,
        String variantName,
        String testClass,
        String testMethod,
        Topology topology,
        KernelRef kernel,
        String scheduler,
        List<String> schedulerArgs,
        List<String> activeFlags,
        int memoryMb,
        long timeoutMs,
        boolean performanceMode,
        List<ArtifactRef> artifacts,
        int attempt,
        VerdictTerms verdict,
        JsonNode testConfig) implements CborSerializable {

    /** A job judged with {@link VerdictTerms#DEFAULT} (no expectErr, no cleanup budget). */
    public JobSpec(String jobId, String variantName, String testClass, String testMethod, Topology topology, KernelRef kernel,
                   String scheduler, List<String> schedulerArgs, List<String> activeFlags, int memoryMb, long timeoutMs,
                   boolean performanceMode, List<ArtifactRef> artifacts, int attempt) {
        this(jobId, variantName, testClass, testMethod, topology, kernel, scheduler, schedulerArgs, activeFlags, memoryMb,
                timeoutMs, performanceMode, artifacts, attempt, VerdictTerms.DEFAULT, null);
    }

    public JobSpec {
        verdict = verdict == null ? VerdictTerms.DEFAULT : verdict;
        testConfig = testConfig == null || testConfig.isNull() ? null : testConfig; // JSON null reads back as a NullNode
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(variantName, "variantName");
        Objects.requireNonNull(topology, "topology of " + variantName);
        schedulerArgs = schedulerArgs == null ? List.of() : List.copyOf(schedulerArgs);
        activeFlags = activeFlags == null ? List.of() : List.copyOf(activeFlags);
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        if (jobId.isBlank()) throw new IllegalArgumentException("jobId of " + variantName + " is blank");
        if (memoryMb <= 0) {
            throw new IllegalArgumentException("job " + variantName + ": memoryMb must be > 0, got " + memoryMb);
        }
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("job " + variantName + ": timeoutMs must be > 0, got " + timeoutMs);
        }
        if (attempt < 0) throw new IllegalArgumentException("job " + variantName + ": attempt must be >= 0");
    }

    /** vCPUs the VM gets. */
    public int vcpus() {
        return topology.totalCpus();
    }

    public JobSpec withAttempt(int newAttempt) {
        return new JobSpec(jobId, variantName, testClass, testMethod, topology, kernel, scheduler, schedulerArgs,
                activeFlags, memoryMb, timeoutMs, performanceMode, artifacts, newAttempt, verdict, testConfig);
    }

    /**
     * The stable job id: the first 16 bytes of sha256(runId NUL variantName), hex. Stable across
     * resume of the same run; distinct across runs so results of two runs never mix.
     */
    public static String jobIdFor(String runId, String variantName) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(variantName, "variantName");
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(runId.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(variantName.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
