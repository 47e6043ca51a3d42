package org.trustfleet.cli;

/**
 * Makes text that came from a server or a file (certificate subjects, error details) safe to print on a terminal:
 * a subject may carry escape sequences that would recolour, rewrite or hide the report.
 */
final class Text {
    private static final int MAX = 500;

    private Text() {
    }

    /** Control characters and bidirectional overrides replaced by '?', bounded in length. */
    static String safe(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX + 1));
        for (int i = 0; i < value.length() && out.length() < MAX; i++) {
            char c = value.charAt(i);
            boolean bidi = (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
                    || c == '\u200E' || c == '\u200F' || c == '\u061C';
            out.append(Character.isISOControl(c) || bidi ? '?' : c);
        }
        if (value.length() > MAX) {
            out.append('…');
        }
        return out.toString();
    }
}
