package dev.ktstr.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Objects;

/**
 * How the VM ran: the accelerator and machine chosen, how the last attempt ended, and the earlier
 * attempts that ended in an infrastructure failure and were retried.
 *
 * @param accelerator       "kvm" or "tcg"
 * @param acceleratorReason why that accelerator was chosen
 * @param machine           QEMU machine type ("microvm", "q35")
 * @param end               how the (last) attempt ended
 * @param elapsedMs         wall time of the last attempt
 * @param retries           earlier attempts, oldest first (empty when the first boot counted)
 * @param hostStarvation    how long the host kept the vCPU threads waiting, null when not measured
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VmRun(String accelerator, String acceleratorReason, String machine, VmEnd end, long elapsedMs,
                    List<VmRetry> retries, HostStarvation hostStarvation) {
    public VmRun {
        Objects.requireNonNull(end, "end");
        retries = retries == null ? List.of() : List.copyOf(retries);
    }

    public VmRun(String accelerator, String acceleratorReason, String machine, VmEnd end, long elapsedMs, List<VmRetry> retries) {
        this(accelerator, acceleratorReason, machine, end, elapsedMs, retries, null);
    }

    /** An attempt that failed for infrastructure reasons and was retried: how it ended and how long it took. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record VmRetry(VmEnd end, long elapsedMs) {}
}
