package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * The host a variant ran on, so that {@code stats compare} can show which host facts differ
 * between two sides. Every field may be null when it could not be read.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostContext(String hostname, String cpuModel, String cpuVendor, Long totalMemoryKb,
                          Long hugepagesTotal, Long hugepagesFree, Long hugepagesSizeKb,
                          String thpEnabled, String thpDefrag, Map<String, String> schedTunables,
                          Integer onlineCpus, Integer numaNodes, Map<String, String> cpufreqGovernor,
                          String kernelName, String kernelRelease, String arch, String kernelCmdline,
                          String javaVersion) {}
