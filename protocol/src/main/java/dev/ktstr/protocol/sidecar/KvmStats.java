package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/** KVM per-vCPU counters (exits, halt_exits, ...); absent (null in the sidecar) under TCG. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record KvmStats(List<Map<String, Long>> perVcpu) {}
