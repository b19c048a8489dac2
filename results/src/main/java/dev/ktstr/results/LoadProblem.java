package dev.ktstr.results;

import java.nio.file.Path;

/**
 * A file that looked like a sidecar but could not be used; reported with its path, never fatal.
 *
 * @param ioError true for read errors (permissions, vanished file), false for bad content
 */
public record LoadProblem(Path path, String message, boolean ioError) {}
