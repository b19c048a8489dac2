package dev.ktstr.coordinator;

import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Run ids: {@code yyyyMMdd-HHmmss-xxxxxx}; any id used as a directory name must pass {@link #validate}. */
public final class RunIds {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    public static String newRunId() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now(ZoneOffset.UTC))
                + "-" + HexFormat.of().formatHex(b);
    }

    public static String validate(String runId) {
        if (runId == null || !SAFE.matcher(runId).matches()) {
            throw new IllegalArgumentException("invalid run id '" + runId
                    + "': use letters, digits, '.', '_' and '-' (at most 100), starting with a letter or digit");
        }
        return runId;
    }
}
