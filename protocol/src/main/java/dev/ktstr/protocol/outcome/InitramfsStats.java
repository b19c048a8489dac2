package dev.ktstr.protocol.outcome;

/**
 * The initramfs a VM booted: a cached base (runtime, agent) plus a per-job suffix.
 *
 * @param baseBytes    size of the cached base archive
 * @param suffixBytes  size of this job's suffix
 * @param baseCacheHit the base came from the cache
 */
public record InitramfsStats(long baseBytes, long suffixBytes, boolean baseCacheHit) {}
