package org.trustfleet.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks a server certificate against the name the device connects to, like Android's OkHostnameVerifier: DNS names
 * against SAN dNSName (single left-most wildcard label), IP literals against SAN iPAddress.
 *
 * <p>The subject CN is deliberately never consulted: Android (Conscrypt's verifier since Android 9 / API 28, like
 * Chrome since 58) ignores it, so a CN-only certificate fails on current devices and must be reported as a mismatch.
 */
public final class HostnameMatcher {

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

    private HostnameMatcher() {
    }

    /** True when the leaf certificate is valid for {@code host} (a DNS name or an IPv4/IPv6 literal). */
    public static boolean matches(X509Certificate leaf, String host) {
        if (leaf == null || host == null || host.isBlank()) {
            return false;
        }
        Collection<List<?>> sans;
        try {
            sans = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException | RuntimeException e) {
            return false;
        }
        if (sans == null) {
            return false;
        }
        byte[] ip = ipLiteral(host);
        if (ip != null) {
            for (List<?> san : sans) {
                if (san.size() >= 2 && Integer.valueOf(SAN_IP).equals(san.get(0)) && san.get(1) instanceof String s) {
                    byte[] sanIp = ipLiteral(s);
                    if (sanIp != null && Arrays.equals(ip, sanIp)) {
                        return true;
                    }
                }
            }
            return false;
        }
        String normalized = normalize(host);
        if (normalized == null) {
            return false;
        }
        for (List<?> san : sans) {
            if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0)) && san.get(1) instanceof String s
                    && dnsMatches(normalized, s)) {
                return true;
            }
        }
        return false;
    }

    /** RFC 6125 matching as Android does it: whole-label {@code *} in the left-most label only, one label deep. */
    static boolean dnsMatches(String host, String pattern) {
        String p = normalize(pattern);
        if (p == null) {
            return false;
        }
        if (!p.contains("*")) {
            return host.equals(p);
        }
        // "*.example.test" only; "f*.example.test", "a.*.test" and "*.test" (too broad) are refused, as on Android.
        if (!p.startsWith("*.") || p.indexOf('*', 1) != -1) {
            return false;
        }
        String suffix = p.substring(1); // ".example.test"
        if (suffix.indexOf('.', 1) == -1) {
            return false;
        }
        if (!host.endsWith(suffix) || host.length() <= suffix.length()) {
            return false;
        }
        String firstLabel = host.substring(0, host.length() - suffix.length());
        return !firstLabel.contains(".");
    }

    private static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty() || n.startsWith(".") || n.contains("..")) {
            return null;
        }
        return n;
    }

    /** Address bytes when {@code s} is an IP literal; never triggers a DNS lookup. */
    static byte[] ipLiteral(String s) {
        String v = s.trim();
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        var m = IPV4.matcher(v);
        if (m.matches()) {
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(m.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                out[i] = (byte) octet;
            }
            return out;
        }
        if (v.indexOf(':') >= 0 && v.matches("[0-9a-fA-F:.]+")) {
            try {
                // Only hex digits, colons and dots reach here, so this parses a literal and never resolves a name.
                return InetAddress.getByName(v).getAddress();
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    /** True when {@code host} is an IPv4 or IPv6 literal. */
    public static boolean isIpLiteral(String host) {
        return host != null && ipLiteral(host) != null;
    }
}
