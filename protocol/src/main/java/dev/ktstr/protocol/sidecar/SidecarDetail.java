package dev.ktstr.protocol.sidecar;

/** One verdict detail: {@code kind} is the spec's DetailKind name (Starved, Stuck, Unfair, ..., Skip, Other). */
public record SidecarDetail(String kind, String message) {}
