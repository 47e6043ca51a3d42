package org.trustfleet.agent;

import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ISO-8601 UTC instants ({@code 2025-01-01T00:00:00Z}, optional fraction) to and from epoch values, without
 * {@code java.time} (Android API 26+).
 */
final class Iso8601 {

    private static final Pattern INSTANT = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?Z");

    private Iso8601() {
    }

    /** Nanoseconds since the epoch (exact for the fractions the server writes); IllegalArgumentException otherwise. */
    static long parseNanos(String text) {
        Matcher m = INSTANT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an ISO-8601 UTC instant: " + abbreviate(text));
        }
        int month = Integer.parseInt(m.group(2));
        int day = Integer.parseInt(m.group(3));
        int hour = Integer.parseInt(m.group(4));
        int minute = Integer.parseInt(m.group(5));
        int second = Integer.parseInt(m.group(6));
        if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
            throw new IllegalArgumentException("not an ISO-8601 UTC instant: " + abbreviate(text));
        }
        GregorianCalendar c = new GregorianCalendar(TimeZone.getTimeZone("UTC"), Locale.ROOT);
        c.clear();
        c.setLenient(false);
        c.set(Integer.parseInt(m.group(1)), month - 1, day, hour, minute, second);
        long seconds;
        try {
            seconds = c.getTimeInMillis() / 1000L;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an ISO-8601 UTC instant: " + abbreviate(text));
        }
        String fraction = m.group(7) == null ? "" : m.group(7);
        long nanos = fraction.isEmpty() ? 0 : Long.parseLong((fraction + "000000000").substring(0, 9));
        return seconds * 1_000_000_000L + nanos;
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.SSS]Z} for epoch milliseconds. */
    static String format(long millis) {
        GregorianCalendar c = new GregorianCalendar(TimeZone.getTimeZone("UTC"), Locale.ROOT);
        c.setTimeInMillis(millis);
        String s = String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", c.get(Calendar.YEAR),
                c.get(Calendar.MONTH) + 1, c.get(Calendar.DAY_OF_MONTH), c.get(Calendar.HOUR_OF_DAY),
                c.get(Calendar.MINUTE), c.get(Calendar.SECOND));
        int ms = c.get(Calendar.MILLISECOND);
        return ms == 0 ? s + "Z" : s + String.format(Locale.ROOT, ".%03dZ", ms);
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
