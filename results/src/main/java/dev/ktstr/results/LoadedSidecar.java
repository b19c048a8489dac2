package dev.ktstr.results;

import dev.ktstr.protocol.sidecar.Sidecar;
import java.nio.file.Path;

/** A sidecar read from disk, with the run directory it was found in. */
public record LoadedSidecar(String runId, Path path, Sidecar sidecar) {}
