package dev.ktstr.results.stats;

import dev.ktstr.results.LoadedSidecar;
import java.util.function.Function;

/**
 * The dimensions a compare can filter and slice on. The first eight are the spec's (§8.3
 * list-values keys); {@link #RUN} is ours: the run directory, for {@code --runs A B}.
 */
public enum Dimension {
    KERNEL("kernel", "--kernel", r -> r.sidecar().kernelVersion()),
    COMMIT("commit", "--project-commit", r -> r.sidecar().projectCommit()),
    KERNEL_COMMIT("kernel_commit", "--kernel-commit", r -> r.sidecar().kernelCommit()),
    SOURCE("source", "--run-source", r -> r.sidecar().runSource()),
    SCHEDULER("scheduler", "--scheduler", r -> r.sidecar().scheduler()),
    TOPOLOGY("topology", "--topology", r -> r.sidecar().topology()),
    WORK_TYPE("work_type", "--work-type", r -> r.sidecar().workType()),
    FLAGS("flags", "--flag", r -> String.join(",", r.sidecar().activeFlags().stream().sorted().distinct().toList())),
    RUN("run", "--run", LoadedSidecar::runId);

    private final String key;
    private final String option;
    private final Function<LoadedSidecar, String> value;

    Dimension(String key, String option, Function<LoadedSidecar, String> value) {
        this.key = key;
        this.option = option;
        this.value = value;
    }

    public String key() {
        return key;
    }

    /** The shared CLI option; per-side ones are {@code --a-...}/{@code --b-...}. */
    public String option() {
        return option;
    }

    /** The row's value, null when the sidecar did not record it. */
    public String valueOf(LoadedSidecar row) {
        return value.apply(row);
    }

    /** Dimensions that identify a variant for pairing (everything except the run it came from). */
    public boolean pairs() {
        return this != RUN;
    }
}
