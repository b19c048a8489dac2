package dev.ktstr.protocol.guest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the guest agent runs, written by the host as {@value #GUEST_PATH} in the initramfs suffix.
 * The host resolves everything (gauntlet overrides included) so the agent never re-derives config.
 *
 * @param schemaVersion    {@link #SCHEMA_VERSION}; the agent refuses other versions
 * @param variantId        the variant's id, only used in logs
 * @param testClass        binary name of the class declaring the test method
 * @param testMethod       the method's name
 * @param topology         rendered topology ({@code 1n2l4c2t}) the VM was booted with
 * @param flags            active scheduler flag names, in profile order
 * @param durationS        workload duration per scenario phase
 * @param workersPerCgroup default worker count
 * @param workTypeOverride a WorkType name replacing swappable works, or null
 * @param assertConfig     the merged Assert (defaults, scheduler, test), opaque JSON owned by scenario
 * @param testConfig       further resolved test config (opaque JSON owned by scenario), may be null
 * @param scheduler        how to start the scheduler, or null for EEVDF (kernel default)
 * @param deadlines        every wait the agent does is bounded by one of these
 * @param env              extra environment for the scheduler and workers
 * @param workConservationWatchdog the test's work-conservation watchdog setting (on/off, gap
 *                         threshold; 0 = the harness default); absent in older jobs, read as
 *                         {@link WorkConservationWatchdog#DEFAULT}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record GuestJob(
        int schemaVersion,
        String variantId,
        String testClass,
        String testMethod,
        String topology,
        List<String> flags,
        int durationS,
        int workersPerCgroup,
        String workTypeOverride,
        JsonNode assertConfig,
        JsonNode testConfig,
        SchedulerLaunch scheduler,
        Deadlines deadlines,
        Map<String, String> env,
        WorkConservationWatchdog workConservationWatchdog) {

    public static final int SCHEMA_VERSION = 1;
    public static final String GUEST_PATH = "/ktstr/job.json";

    public GuestJob {
        Objects.requireNonNull(testClass, "testClass");
        Objects.requireNonNull(testMethod, "testMethod");
        if (durationS <= 0) throw new IllegalArgumentException("durationS must be > 0, got " + durationS);
        if (workersPerCgroup <= 0) {
            throw new IllegalArgumentException("workersPerCgroup must be > 0, got " + workersPerCgroup);
        }
        flags = flags == null ? List.of() : List.copyOf(flags);
        env = env == null ? Map.of() : Map.copyOf(env);
        deadlines = deadlines == null ? Deadlines.DEFAULT : deadlines;
        if (workConservationWatchdog == null) workConservationWatchdog = WorkConservationWatchdog.DEFAULT;
    }

    /** A job running one test with default deadlines and no scheduler process (EEVDF). */
    public static GuestJob of(String testClass, String testMethod, String topology, int durationS, int workersPerCgroup) {
        return new GuestJob(SCHEMA_VERSION, testClass + "#" + testMethod, testClass, testMethod, topology, List.of(),
                durationS, workersPerCgroup, null, null, null, null, Deadlines.DEFAULT, Map.of(), WorkConservationWatchdog.DEFAULT);
    }

    public GuestJob withScheduler(SchedulerLaunch s) {
        return new GuestJob(schemaVersion, variantId, testClass, testMethod, topology, flags, durationS,
                workersPerCgroup, workTypeOverride, assertConfig, testConfig, s, deadlines, env, workConservationWatchdog);
    }

    public GuestJob withDeadlines(Deadlines d) {
        return new GuestJob(schemaVersion, variantId, testClass, testMethod, topology, flags, durationS,
                workersPerCgroup, workTypeOverride, assertConfig, testConfig, scheduler, d, env, workConservationWatchdog);
    }

    public GuestJob withWorkConservationWatchdog(WorkConservationWatchdog w) {
        return new GuestJob(schemaVersion, variantId, testClass, testMethod, topology, flags, durationS,
                workersPerCgroup, workTypeOverride, assertConfig, testConfig, scheduler, deadlines, env, w);
    }
}
