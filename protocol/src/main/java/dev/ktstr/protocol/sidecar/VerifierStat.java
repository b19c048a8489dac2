package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** BPF verifier cost of one program of the scheduler under test. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VerifierStat(String name, long verifiedInsns) {}
