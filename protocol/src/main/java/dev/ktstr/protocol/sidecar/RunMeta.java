package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code run.json}: what a run directory is, written once when the run starts.
 *
 * @param kernel     kernel version the run targeted ("unknown" when not known), for {@code RunStore.latest}
 * @param commit     7-hex project commit (± "-dirty") or null outside a git repository
 * @param createdAt  ISO-8601 instant the run started
 * @param runSource  "local", "ci" or "merge"
 * @param mergedFrom run ids this run was merged from by {@code ktstr stats merge}; empty otherwise
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunMeta(int schemaVersion, String runId, String kernel, String commit, String createdAt,
                      String runSource, List<String> mergedFrom) {
    public static final String FILE_NAME = "run.json";

    public RunMeta {
        mergedFrom = mergedFrom == null ? List.of() : List.copyOf(mergedFrom);
    }
}
