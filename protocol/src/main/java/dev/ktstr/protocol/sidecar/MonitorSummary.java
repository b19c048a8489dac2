package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Host-side monitor aggregates over the evaluated samples (settling samples excluded).
 *
 * @param samples           evaluated samples
 * @param maxImbalanceRatio worst per-sample max(nr_running)/max(1,min(nr_running))
 * @param maxDsqDepth       worst local DSQ depth on any CPU
 * @param stallCount        sustained rq_clock stalls detected
 * @param totalFallback     select_cpu_fallback events over the run (all CPUs)
 * @param totalKeepLast     dispatch_keep_last events over the run (all CPUs)
 * @param passed            monitor verdict
 * @param summary           "monitor OK" or "monitor FAILED: N violation(s)"
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MonitorSummary(int samples, double maxImbalanceRatio, long maxDsqDepth, long stallCount,
                             long totalFallback, long totalKeepLast, boolean passed, String summary) {}
