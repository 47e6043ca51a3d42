package org.trustfleet.pki;

import java.util.Map;

/**
 * Android release names by API level, because people know their phones as "Android 7.0", not "API 24", and reports
 * must say both.
 */
public final class AndroidVersions {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(19, "4.4"), Map.entry(20, "4.4W"), Map.entry(21, "5.0"), Map.entry(22, "5.1"),
            Map.entry(23, "6.0"), Map.entry(24, "7.0"), Map.entry(25, "7.1"), Map.entry(26, "8.0"),
            Map.entry(27, "8.1"), Map.entry(28, "9"), Map.entry(29, "10"), Map.entry(30, "11"),
            Map.entry(31, "12"), Map.entry(32, "12L"), Map.entry(33, "13"), Map.entry(34, "14"),
            Map.entry(35, "15"), Map.entry(36, "16"), Map.entry(37, "17"));

    private AndroidVersions() {
    }

    /** The version name ({@code "7.0"} for 24), or empty when the level is unknown. */
    public static String name(int apiLevel) {
        return NAMES.getOrDefault(apiLevel, "");
    }

    /** {@code "Android 7.0 (API 24)"}, or {@code "Android (API 99)"} for a level this table does not know. */
    public static String label(int apiLevel) {
        String name = name(apiLevel);
        return (name.isEmpty() ? "Android" : "Android " + name) + " (API " + apiLevel + ")";
    }
}
