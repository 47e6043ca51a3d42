package org.trustfleet.pki;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.util.IPAddress;

/**
 * The one rule for what a host (or a server name) may be: a DNS name, an IPv4 dotted quad or an IPv6 literal, and
 * nothing else — no scheme, user, port, path, whitespace or control character. Tenants type these and the scanner
 * connects to them, so the stored spelling must be the one every resolver reads the same way.
 *
 * <ul>
 *   <li>A DNS name is converted to ASCII (IDNA), lower-cased, and one trailing dot (the absolute form) is dropped;
 *       each label is 1–63 letters, digits, {@code -} or {@code _} (no {@code -} at either end), at most 253
 *       characters in all.</li>
 *   <li>When the last label is a number ({@code 1}, {@code 0x7f}: the WHATWG URL "ends in a number" rule), the name
 *       is read as an IPv4 address, and only the dotted quad of four decimal numbers 0–255 without leading zeros and
 *       without a trailing dot is accepted: {@code 0177.0.0.1}, {@code 127.1} and {@code 0x7f.0.0.1} mean loopback to
 *       some software and a public address to other, so they are refused.</li>
 *   <li>An IPv6 literal may be bracketed ({@code [::1]}); it is kept without the brackets, lower-cased. A zone
 *       ({@code %eth0}) is refused.</li>
 *   <li>A port is never part of a host ({@code host:443}, {@code [::1]:443}): it has its own field.</li>
 * </ul>
 */
public final class HostName {
    /** What kind of host a spelling is. */
    public enum Kind {
        DNS, IPV4, IPV6
    }

    /** A host as stored and connected to: ASCII, lower case, without brackets or trailing dot. */
    public record Parsed(String value, Kind kind) {}

    /** Why a spelling is not a host; {@link #reason()} is a phrase that follows the field name. */
    public static final class InvalidHostException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidHostException(String reason) {
            super(reason, null);
        }

        /** e.g. "is not a valid host name: it must not include a port (use the port field)". */
        public String reason() {
            return getMessage();
        }
    }

    private static final int MAX_LENGTH = 253;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    /** The label separators of IDNA: the full stop and its ideographic, full-width and half-width forms. */
    private static final Pattern IDNA_DOTS = Pattern.compile("[.\u3002\uFF0E\uFF61]");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+");
    private static final Pattern HEX_NUMBER = Pattern.compile("0[xX][0-9a-fA-F]*");
    private static final Pattern OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final Pattern PORT_SUFFIX = Pattern.compile(".*[^:]:[0-9]*");
    private static final String INVALID = "is not a valid host name";

    private HostName() {}

    /** The host as stored, or why {@code raw} is not one. */
    public static Parsed parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw invalid("it is empty");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                throw invalid("it must not contain spaces or control characters");
            }
        }
        if (raw.contains("/") || raw.contains("@") || raw.contains("?") || raw.contains("#")) {
            throw invalid("give only the host, without scheme, user, path or query");
        }
        if (raw.startsWith("[")) {
            int close = raw.indexOf(']');
            if (close < 0) {
                throw invalid("an IPv6 address in brackets needs the closing ']'");
            }
            if (close != raw.length() - 1) {
                throw invalid(raw.charAt(close + 1) == ':' ? "it must not include a port (use the port field)"
                        : "nothing may follow the ']' of an IPv6 address");
            }
            return ipv6(raw.substring(1, close));
        }
        if (raw.indexOf(':') >= 0) {
            if (raw.indexOf(':') == raw.lastIndexOf(':') && PORT_SUFFIX.matcher(raw).matches()) {
                throw invalid("it must not include a port (use the port field)");
            }
            return ipv6(raw);
        }
        return dnsOrIpv4(raw);
    }

    /** The host as stored when {@code raw} is one. */
    public static Optional<Parsed> tryParse(String raw) {
        try {
            return Optional.of(parse(raw));
        } catch (InvalidHostException e) {
            return Optional.empty();
        }
    }

    private static Parsed ipv6(String literal) {
        if (literal.indexOf('%') >= 0) {
            throw invalid("an IPv6 address must not carry a zone (%…)");
        }
        // Bouncy Castle's check is syntactic only (hex groups, one "::", an optional dotted-quad tail): no DNS
        if (literal.isEmpty() || !IPAddress.isValidIPv6(literal) || !ipv4TailIsCanonical(literal)) {
            throw invalid("it is not a valid IPv6 address");
        }
        return new Parsed(literal.toLowerCase(Locale.ROOT), Kind.IPV6);
    }

    /** An embedded IPv4 tail ({@code ::ffff:1.2.3.4}) follows the same dotted-quad rule as an IPv4 host. */
    private static boolean ipv4TailIsCanonical(String literal) {
        int colon = literal.lastIndexOf(':');
        String tail = literal.substring(colon + 1);
        return tail.indexOf('.') < 0 || isDottedQuad(tail);
    }

    private static Parsed dnsOrIpv4(String raw) {
        String[] rawLabels = IDNA_DOTS.split(raw, -1);
        for (int i = 0; i < rawLabels.length; i++) {
            // one empty label at the end is the trailing dot of an absolute name
            if (rawLabels[i].isEmpty() && !(i == rawLabels.length - 1 && i > 0)) {
                throw invalid(rawLabels.length == 1 || raw.length() == 1 ? "it is empty" : "it has an empty label");
            }
        }
        String ascii;
        try {
            // IDNA 2003 as the JDK implements it: maps full-width dots and letters, lower-cases, encodes punycode
            ascii = IDN.toASCII(raw.toLowerCase(Locale.ROOT), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw invalid("a label is longer than 63 characters or is not a valid internationalised name");
        }
        boolean trailingDot = ascii.endsWith(".");
        String name = trailingDot ? ascii.substring(0, ascii.length() - 1) : ascii;
        if (name.isEmpty()) {
            throw invalid("it is empty");
        }
        String[] labels = name.split("\\.", -1);
        String last = labels[labels.length - 1];
        if (DECIMAL.matcher(last).matches() || HEX_NUMBER.matcher(last).matches()) {
            if (trailingDot || !isDottedQuad(name)) {
                throw invalid("an IPv4 address is four decimal numbers 0-255 without leading zeros (e.g."
                        + " 192.0.2.10)");
            }
            return new Parsed(name, Kind.IPV4);
        }
        if (name.length() > MAX_LENGTH) {
            throw invalid("it is longer than 253 characters");
        }
        for (String label : labels) {
            if (label.isEmpty()) {
                throw invalid("it has an empty label");
            }
            if (label.length() > 63) {
                throw invalid("a label is longer than 63 characters");
            }
            if (!LABEL.matcher(label).matches()) {
                throw invalid("a label may hold only letters, digits, '-' and '_', and not start or end with '-'");
            }
        }
        return new Parsed(name, Kind.DNS);
    }

    private static boolean isDottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (!OCTET.matcher(part).matches() || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static InvalidHostException invalid(String why) {
        return new InvalidHostException(INVALID + ": " + why);
    }
}
