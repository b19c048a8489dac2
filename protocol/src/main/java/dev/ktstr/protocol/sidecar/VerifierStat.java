package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * BPF verifier cost of one program of the scheduler under test.
 *
 * @param name          the program name as the kernel reports it
 * @param verifiedInsns instructions the verifier processed
 * @param type          the program type ({@code struct_ops}, ...); null in sidecars written before it was recorded
 * @param xlatedBytes   size of the translated program, 0 when not recorded
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerifierStat(String name, long verifiedInsns, String type, long xlatedBytes) {

    public VerifierStat(String name, long verifiedInsns) {
        this(name, verifiedInsns, null, 0);
    }
}
