package dev.ktstr.results;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Run ids: {@code YYYYMMDDTHHMMSSZ-<kernel>-<commit7[-dirty]|unknown>-<rand4>}, e.g.
 * {@code 20261122T050102Z-6.12.117-9e4d7fe-3fa1}. They sort by start time as strings, name the
 * kernel and commit a reader looks for, and the random suffix keeps two runs started in the same
 * second (CI shards, parallel developers) apart.
 */
public final class RunId {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern SHAPE = Pattern.compile("\\d{8}T\\d{6}Z-.+-([0-9a-f]{7}(-dirty)?|unknown)-[0-9a-f]{4}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunId() {}

    public static String create(RunInfo info) {
        byte[] r = new byte[2];
        RANDOM.nextBytes(r);
        return STAMP.format(info.startedAt()) + "-" + safe(info.kernel()) + "-"
                + (info.commit() == null ? "unknown" : safe(info.commit())) + "-" + HexFormat.of().formatHex(r);
    }

    public static boolean looksLikeRunId(String name) {
        return SHAPE.matcher(name).matches();
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    static Instant parseStamp(String runId) {
        try {
            return Instant.from(STAMP.parse(runId.substring(0, 16)));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
