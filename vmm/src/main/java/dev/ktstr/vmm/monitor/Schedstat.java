package dev.ktstr.vmm.monitor;

/** Per-run-queue schedstat counters (same meaning as /proc/schedstat's cpu lines). */
public record Schedstat(long runDelayNs, long pcount, long yldCount, long schedCount, long schedGoidle, long ttwuCount,
                        long ttwuLocal) {}
