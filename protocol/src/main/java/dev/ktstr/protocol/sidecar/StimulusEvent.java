package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** A scenario step boundary or dynamic op, stamped relative to scenario start. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StimulusEvent(long elapsedMs, String label, String opKind, String detail, Long totalIterations) {}
