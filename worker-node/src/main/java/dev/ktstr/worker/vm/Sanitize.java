package dev.ktstr.worker.vm;

/** Makes untrusted guest text safe to print: no control characters (terminal escapes), bounded size. */
final class Sanitize {
    static final int MAX_LINE = 4_000;

    private Sanitize() {}

    static String line(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_LINE));
        for (int i = 0; i < s.length() && b.length() < MAX_LINE; i++) {
            char c = s.charAt(i);
            if (c == '\t') b.append(' ');
            else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) b.append('?');
            else b.append(c);
        }
        if (s.length() > MAX_LINE) b.append("...");
        return b.toString();
    }

    /** Keeps newlines, sanitises each line, keeps at most the last {@code maxLines}. */
    static String block(String s, int maxLines) {
        if (s == null) return "";
        String[] lines = s.split("\r?\n", -1);
        int from = Math.max(0, lines.length - maxLines);
        StringBuilder b = new StringBuilder();
        if (from > 0) b.append("[").append(from).append(" earlier lines omitted]\n");
        for (int i = from; i < lines.length; i++) {
            b.append(line(lines[i]));
            if (i + 1 < lines.length) b.append('\n');
        }
        return b.toString();
    }

    /** At most the last {@code maxChars} characters, cut at a line start, with a note when cut. */
    static String tail(String s, int maxChars) {
        if (s == null || s.length() <= maxChars) return s == null ? "" : s;
        int from = s.length() - maxChars;
        int nl = s.indexOf('\n', from);
        if (nl >= 0 && nl + 1 < s.length()) from = nl + 1;
        return "[first " + from + " characters omitted]\n" + s.substring(from);
    }
}
