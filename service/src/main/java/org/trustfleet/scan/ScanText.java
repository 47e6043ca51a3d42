package org.trustfleet.scan;

/** Turns exceptions into short one-line sentences, because scan results are read by admins, not developers. */
final class ScanText {

    private static final int MAX = 300;

    private ScanText() {
    }

    /** The exception's message on one line without class names or stack frames, bounded in length. */
    static String sentence(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getClass().getSimpleName();
        }
        return oneLine(m);
    }

    static String oneLine(String m) {
        String s = m.replaceAll("[\\r\\n\\t]+", " ").replaceAll("\\p{Cntrl}", "?").trim();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.length() > MAX ? s.substring(0, MAX) + "…" : s;
    }
}
