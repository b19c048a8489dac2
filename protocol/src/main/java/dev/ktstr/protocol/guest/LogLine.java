package dev.ktstr.protocol.guest;

/** A structured log line (LOG frames may also carry plain text). */
public record LogLine(long guestUptimeMs, String level, String source, String message) {}
