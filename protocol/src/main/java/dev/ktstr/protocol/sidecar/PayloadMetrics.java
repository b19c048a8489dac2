package dev.ktstr.protocol.sidecar;

import java.util.Map;

/** Numbers a payload (a benchmark binary run in the guest) reported, by metric name. */
public record PayloadMetrics(String payload, Map<String, Double> values) {}
