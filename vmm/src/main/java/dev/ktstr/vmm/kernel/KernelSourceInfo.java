package dev.ktstr.vmm.kernel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** Where a cached kernel came from ({@code source} in metadata.json, discriminated by {@code type}). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = KernelSourceInfo.Tarball.class, name = "tarball"),
        @JsonSubTypes.Type(value = KernelSourceInfo.Local.class, name = "local"),
        @JsonSubTypes.Type(value = KernelSourceInfo.Git.class, name = "git")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface KernelSourceInfo {

    /** One-line description for listings. */
    String describe();

    /** {@code origin}: the URL downloaded or the local tarball file. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Tarball(String origin) implements KernelSourceInfo {
        @Override public String describe() { return "tarball " + origin; }
    }

    /** {@code gitHash} is null for a tree that is not a clean git checkout. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Local(String sourceTreePath, String gitHash) implements KernelSourceInfo {
        @Override public String describe() {
            return "local " + sourceTreePath + (gitHash == null ? "" : " @" + gitHash.substring(0, Math.min(12, gitHash.length())));
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Git(String url, String ref, String gitHash) implements KernelSourceInfo {
        @Override public String describe() { return "git " + url + "#" + ref; }
    }
}
