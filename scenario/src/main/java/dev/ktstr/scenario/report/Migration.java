package dev.ktstr.scenario.report;

/** A CPU change seen at a checkpoint: {@code atNs} is nanoseconds since the worker's loop start. */
public record Migration(long atNs, int fromCpu, int toCpu) implements java.io.Serializable {
}
