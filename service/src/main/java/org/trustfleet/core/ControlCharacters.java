package org.trustfleet.core;

/**
 * The one definition of a control character in text the API accepts: the Unicode {@code Cc} category (U+0000–U+001F,
 * U+007F–U+009F), optionally except tab, line feed and carriage return in free text. Used by {@link PlainText} for
 * body fields and service parameters, and by the web edge for path and query parameters.
 */
public final class ControlCharacters {
    private ControlCharacters() {}

    /** Index of the first control character in {@code text}, or -1; line breaks and tabs pass when allowed. */
    public static int find(CharSequence text, boolean allowLineBreaks) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.getType(c) == Character.CONTROL
                    && !(allowLineBreaks && (c == '\t' || c == '\n' || c == '\r'))) {
                return i;
            }
        }
        return -1;
    }
}
