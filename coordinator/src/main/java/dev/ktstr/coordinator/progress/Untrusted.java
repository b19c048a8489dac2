package dev.ktstr.coordinator.progress;

/**
 * Guest output reaches the host through results; before it is printed or journaled it loses
 * terminal control sequences and is length-capped.
 */
public final class Untrusted {
    private Untrusted() {
    }

    /** One printable line: control characters (ESC, CR, BEL, ...) become '?', newlines a space. */
    public static String line(String s, int max) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\t') b.append(' ');
            else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || (c >= '\u202a' && c <= '\u202e')) b.append('?');
            else b.append(c);
        }
        if (s.length() > max) b.append("...");
        return b.toString();
    }

    /** Multi-line text: keeps newlines and tabs, replaces other control characters. */
    public static String text(String s, int max) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\t') b.append(c);
            else if (Character.isISOControl(c) || (c >= '\u202a' && c <= '\u202e')) b.append('?');
            else b.append(c);
        }
        if (s.length() > max) b.append("\n[truncated ").append(s.length() - max).append(" chars]");
        return b.toString();
    }
}
