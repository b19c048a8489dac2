package dev.ktstr.coordinator;

import java.util.regex.Pattern;

/** Run ids: minted in the one format of {@link dev.ktstr.results.RunId}; any id used as a directory name must pass {@link #validate}. */
public final class RunIds {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private RunIds() {
    }

    /**
     * A run id for a run that names no kernel or commit (fake and pre-planned job lists), in the one
     * run-id format ({@link dev.ktstr.results.RunId}): {@code 20261202T134146Z-unknown-unknown-3fa1}.
     */
    public static String newRunId() {
        return dev.ktstr.results.RunId.create(
                new dev.ktstr.results.RunInfo(null, null, null, java.time.Instant.now()));
    }

    public static String validate(String runId) {
        if (runId == null || !SAFE.matcher(runId).matches()) {
            throw new IllegalArgumentException("invalid run id '" + runId
                    + "': use letters, digits, '.', '_' and '-' (at most 100), starting with a letter or digit");
        }
        return runId;
    }
}
