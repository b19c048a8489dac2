package dev.ktstr.coordinator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/** A started run. */
public interface RunHandle {
    String runId();

    Path journal();

    /** The latest snapshot (updated every progress interval and on each result). */
    RunProgress progress();

    CompletableFuture<RunSummary> completion();

    /** Blocks until every job has its one result. */
    RunSummary await() throws InterruptedException;

    RunSummary await(Duration timeout) throws InterruptedException, TimeoutException;
}
