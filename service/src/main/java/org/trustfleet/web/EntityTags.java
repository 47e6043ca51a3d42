package org.trustfleet.web;

/**
 * {@code If-None-Match} evaluation (RFC 9110 section 13.1.2): {@code *} matches any current representation;
 * otherwise the header is a comma-separated list of entity tags compared with the weak comparison function, so
 * {@code W/"x"} matches {@code "x"}.
 */
final class EntityTags {
    private EntityTags() {}

    /** The quoted strong tag for an opaque value. */
    static String strong(String opaque) {
        return "\"" + opaque + "\"";
    }

    /**
     * Whether {@code ifNoneMatch} (may be null) matches the current representation tagged {@code opaque}, i.e. the
     * client's copy is current and the answer is 304.
     */
    static boolean matchesCurrent(String ifNoneMatch, String opaque) {
        if (ifNoneMatch == null) {
            return false;
        }
        String header = ifNoneMatch.strip();
        if (header.equals("*")) {
            return true;
        }
        int i = 0;
        int n = header.length();
        while (i < n) {
            while (i < n && (header.charAt(i) == ',' || header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
                i++;
            }
            if (i >= n) {
                break;
            }
            if (header.startsWith("W/", i)) {
                i += 2;
            }
            if (i >= n || header.charAt(i) != '"') {
                return false; // malformed: treat as no match
            }
            int end = header.indexOf('"', i + 1);
            if (end < 0) {
                return false;
            }
            if (header.regionMatches(i + 1, opaque, 0, opaque.length()) && end - i - 1 == opaque.length()) {
                return true;
            }
            i = end + 1;
        }
        return false;
    }
}
