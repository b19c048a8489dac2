package dev.ktstr.protocol.outcome;

/**
 * How long the host kept the VM's vCPU threads runnable but off a CPU, measured on the host from
 * {@code /proc/<qemu>/task/<vcpu>/schedstat} (its second field, run_delay: nanoseconds spent
 * waiting on a runqueue). A guest whose vCPU waits that long sees a scheduling gap it did not
 * make: a timing check that fails across such a wait cannot be judged.
 *
 * <p>A "wait" is a run of consecutive samples in each of which run_delay grew by at least
 * {@value #WAITING_FRACTION_PCT}% of the wall time between them: the thread was waiting nearly
 * the whole interval. Short waits summed over a long interval do not count as one.
 *
 * @param longestWaitMs    the longest wait of any vCPU thread
 * @param longestWaitVcpu  the vCPU index of that thread
 * @param totalRunDelayMs  run_delay growth summed over all vCPU threads for the whole run
 * @param samples          samples taken (per thread)
 * @param sampleIntervalMs the sampling interval
 */
public record HostStarvation(long longestWaitMs, int longestWaitVcpu, long totalRunDelayMs, int samples, long sampleIntervalMs) {
    public static final int WAITING_FRACTION_PCT = 90;

    /**
     * The longest wait, in ns, of one thread from its consecutive samples: {@code intervalNs[i]}
     * wall time and {@code delayNs[i]} run_delay growth between sample i and i+1.
     */
    public static long longestWaitNs(long[] intervalNs, long[] delayNs) {
        long best = 0;
        long streak = 0;
        for (int i = 0; i < intervalNs.length; i++) {
            boolean waiting = intervalNs[i] > 0 && delayNs[i] * 100 >= intervalNs[i] * WAITING_FRACTION_PCT;
            streak = waiting ? streak + delayNs[i] : 0;
            best = Math.max(best, streak);
        }
        return best;
    }
}
