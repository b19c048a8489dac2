package dev.ktstr.protocol.job;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What an expectErr test says the scheduler's exit message must be: it contains {@code contains}
 * and/or a part of it matches the regular expression {@code regex}. The text judged is sched_ext's
 * account of the exit, {@code <reason>: <message>} (e.g. {@code scx_bpf_error: test triggering error}).
 *
 * @param contains a substring of the exit text, null = not checked
 * @param regex    a {@link Pattern} found in the exit text, null = not checked
 */
public record SchedErrorMatch(String contains, String regex) implements CborSerializable {
    public SchedErrorMatch {
        if (contains != null && contains.isEmpty()) contains = null;
        if (regex != null && regex.isEmpty()) regex = null;
        if (regex != null) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("expectSchedErrorMatches is not a valid regular expression: " + e.getDescription()
                        + " in '" + regex + "' (java.util.regex syntax; quote literal text with \\Q...\\E)");
            }
        }
    }

    /** The matcher of a test's two settings; null when neither is set. */
    public static SchedErrorMatch of(String contains, String regex) {
        SchedErrorMatch m = new SchedErrorMatch(contains, regex);
        return m.contains == null && m.regex == null ? null : m;
    }

    public boolean matches(String exitText) {
        if (exitText == null) return false;
        if (contains != null && !exitText.contains(contains)) return false;
        return regex == null || Pattern.compile(regex).matcher(exitText).find();
    }

    /** {@code containing 'x' and matching /y/}, for messages. */
    public String describe() {
        String c = contains == null ? null : "containing '" + contains + "'";
        String r = regex == null ? null : "matching /" + regex + "/";
        return c != null && r != null ? c + " and " + r : c != null ? c : r;
    }
}
