package dev.ktstr.vmm.kernel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * {@code metadata.json} of a cache entry. {@code files} maps every stored file (relative path) to its size so a
 * truncated copy is detected; {@code compiledObjects} feeds the progress estimate of later builds.
 * Unknown properties are ignored (additive changes keep old readers working); incompatible changes bump
 * {@link #CURRENT_SCHEMA}, and entries of another schema are reported as {@code schema_drift}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KernelMetadata(
        int schemaVersion,
        String version,
        KernelSourceInfo source,
        String arch,
        String imageName,
        String vmlinuxName,
        String configHash,
        String builtAt,
        String ktstrKconfigHash,
        boolean hasVmlinux,
        boolean vmlinuxStripped,
        long sourceVmlinuxSize,
        List<String> schedulers,
        Map<String, Long> files,
        long buildSeconds,
        int compiledObjects) {

    public static final int CURRENT_SCHEMA = 1;

    /** Required fields; a metadata file lacking one is {@code malformed}. */
    List<String> missingFields() {
        List<String> missing = new java.util.ArrayList<>();
        if (version == null) missing.add("version");
        if (source == null) missing.add("source");
        if (arch == null) missing.add("arch");
        if (imageName == null) missing.add("image_name");
        if (builtAt == null) missing.add("built_at");
        if (ktstrKconfigHash == null) missing.add("ktstr_kconfig_hash");
        if (files == null) missing.add("files");
        return missing;
    }

    public List<String> schedulers() {
        return schedulers == null ? List.of() : schedulers;
    }
}
