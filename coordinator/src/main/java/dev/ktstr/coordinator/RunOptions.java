package dev.ktstr.coordinator;

import dev.ktstr.host.KtstrDirs;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a run is executed.
 *
 * @param maxAttempts tries per job before a lost worker or VM infrastructure error becomes its INFRA_ERROR result
 * @param tcgOvercommit vCPUs per host CPU allowed on TCG workers (recorded in the journal's plan); 1.0 = none
 * @param progressInterval how often the progress line is printed and listeners get a snapshot
 * @param printProgress print the compact progress line to stderr
 * @param unplaceableGrace how long a job that fits no known worker waits for a bigger one before it is SKIPped
 * @param idleLimit how long a run with jobs left may have no worker at all (none joined yet, or all lost) before it
 *                  fails with a message naming the fix; a run that waits forever helps no one
 * @param reconcileGrace how long after an assignment a worker must list the job among those it holds (its
 *                       {@code RequestWork}) before a job it does not list is taken back as never arrived
 * @param leaseMargin how long past a job's own timeout the coordinator waits for its holder's result before it
 *                    takes the job back (the worker's own deadline and result re-sends fit well inside it)
 */
public record RunOptions(Path runsDir, int maxAttempts, double tcgOvercommit, Duration progressInterval,
                         boolean printProgress, Duration unplaceableGrace, Duration idleLimit, Duration leaseMargin,
                         Duration reconcileGrace) {

    public static final Duration DEFAULT_LEASE_MARGIN = Duration.ofSeconds(120);
    public static final Duration DEFAULT_RECONCILE_GRACE = Duration.ofSeconds(30);

    public RunOptions(Path runsDir, int maxAttempts, double tcgOvercommit, Duration progressInterval,
                      boolean printProgress, Duration unplaceableGrace, Duration idleLimit, Duration leaseMargin) {
        this(runsDir, maxAttempts, tcgOvercommit, progressInterval, printProgress, unplaceableGrace, idleLimit, leaseMargin, null);
    }

    public RunOptions(Path runsDir, int maxAttempts, double tcgOvercommit, Duration progressInterval,
                      boolean printProgress, Duration unplaceableGrace, Duration idleLimit) {
        this(runsDir, maxAttempts, tcgOvercommit, progressInterval, printProgress, unplaceableGrace, idleLimit, null);
    }

    public static final Duration DEFAULT_IDLE_LIMIT = Duration.ofMinutes(10);

    public RunOptions(Path runsDir, int maxAttempts, double tcgOvercommit, Duration progressInterval,
                      boolean printProgress, Duration unplaceableGrace) {
        this(runsDir, maxAttempts, tcgOvercommit, progressInterval, printProgress, unplaceableGrace, null);
    }

    public RunOptions {
        if (runsDir == null) runsDir = KtstrDirs.runsDir();
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        if (!(tcgOvercommit >= 1.0) || tcgOvercommit > 16) {
            throw new IllegalArgumentException("TCG vCPU overcommit must be within 1.0..16, got " + tcgOvercommit);
        }
        if (progressInterval == null) progressInterval = Duration.ofSeconds(3);
        if (unplaceableGrace == null) unplaceableGrace = Duration.ofSeconds(30);
        if (idleLimit == null) idleLimit = DEFAULT_IDLE_LIMIT;
        if (leaseMargin == null) leaseMargin = DEFAULT_LEASE_MARGIN;
        if (reconcileGrace == null) reconcileGrace = DEFAULT_RECONCILE_GRACE;
        if (leaseMargin.isNegative()) throw new IllegalArgumentException("the lease margin must be >= 0");
        if (idleLimit.isNegative() || idleLimit.isZero()) {
            throw new IllegalArgumentException("the idle limit must be > 0, got " + idleLimit.toSeconds() + " s");
        }
    }

    public static RunOptions defaults() {
        return new RunOptions(null, 3, 1.0, null, true, null);
    }

    public RunOptions withRunsDir(Path dir) {
        return new RunOptions(dir, maxAttempts, tcgOvercommit, progressInterval, printProgress, unplaceableGrace, idleLimit, leaseMargin, reconcileGrace);
    }

    public RunOptions withPrintProgress(boolean print) {
        return new RunOptions(runsDir, maxAttempts, tcgOvercommit, progressInterval, print, unplaceableGrace, idleLimit, leaseMargin, reconcileGrace);
    }

    public RunOptions withProgressInterval(Duration d) {
        return new RunOptions(runsDir, maxAttempts, tcgOvercommit, d, printProgress, unplaceableGrace, idleLimit, leaseMargin, reconcileGrace);
    }

    public RunOptions withTcgOvercommit(double factor) {
        return new RunOptions(runsDir, maxAttempts, factor, progressInterval, printProgress, unplaceableGrace, idleLimit, leaseMargin, reconcileGrace);
    }

    public RunOptions withMaxAttempts(int n) {
        return new RunOptions(runsDir, n, tcgOvercommit, progressInterval, printProgress, unplaceableGrace, idleLimit, leaseMargin, reconcileGrace);
    }

    public RunOptions withIdleLimit(Duration d) {
        return new RunOptions(runsDir, maxAttempts, tcgOvercommit, progressInterval, printProgress, unplaceableGrace, d, leaseMargin, reconcileGrace);
    }

    public RunOptions withLeaseMargin(Duration d) {
        return new RunOptions(runsDir, maxAttempts, tcgOvercommit, progressInterval, printProgress, unplaceableGrace, idleLimit, d, reconcileGrace);
    }

    public RunOptions withReconcileGrace(Duration d) {
        return new RunOptions(runsDir, maxAttempts, tcgOvercommit, progressInterval, printProgress, unplaceableGrace, idleLimit, leaseMargin, d);
    }

    public RunOptions withUnplaceableGrace(Duration d) {
        return new RunOptions(runsDir, maxAttempts, tcgOvercommit, progressInterval, printProgress, d, idleLimit, leaseMargin, reconcileGrace);
    }
}
