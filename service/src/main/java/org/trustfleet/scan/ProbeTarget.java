package org.trustfleet.scan;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where to probe: a host (name or IP literal), a port, optionally the server name that is sent as SNI and
 * later verified against the certificate when {@code host} is an address, and what is spoken before TLS.
 *
 * @param host       DNS name or IP literal (IPv6 may be bracketed)
 * @param port       TCP port, 1–65535
 * @param serverName SNI / verification name, or {@code null}
 * @param protocol   TLS from the first byte, or a mail protocol's STARTTLS first; {@code null} means TLS
 */
public record ProbeTarget(String host, int port, String serverName, StartTlsProtocol protocol) {

    public ProbeTarget {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (serverName != null && serverName.isBlank()) {
            serverName = null;
        }
        if (protocol == null) {
            protocol = StartTlsProtocol.TLS;
        }
    }

    /** A target spoken to in TLS from the first byte. */
    public ProbeTarget(String host, int port, String serverName) {
        this(host, port, serverName, StartTlsProtocol.TLS);
    }

    public static ProbeTarget of(String host, int port) {
        return new ProbeTarget(host, port, null);
    }

    public static ProbeTarget of(String host, int port, String serverName) {
        return new ProbeTarget(host, port, serverName);
    }

    public static ProbeTarget of(String host, int port, String serverName, StartTlsProtocol protocol) {
        return new ProbeTarget(host, port, serverName, protocol);
    }

    /** The configured server name, if any. */
    public Optional<String> serverNameOptional() {
        return Optional.ofNullable(serverName);
    }

    /**
     * The name to send as SNI: {@code serverName} when set, else {@code host} when it is a DNS name; empty for an
     * IP literal without serverName (SNI must not carry IP addresses, RFC 6066 §3).
     */
    public Optional<String> sniName() {
        String candidate = serverName != null ? serverName : host;
        String trimmed = candidate.trim();
        if (trimmed.endsWith(".")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.isEmpty() || AddressGuard.isIpLiteral(trimmed)) {
            return Optional.empty();
        }
        return Optional.of(trimmed.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return host + ":" + port + (serverName == null ? "" : " (SNI " + serverName + ")")
                + (protocol == StartTlsProtocol.TLS ? "" : " [" + protocol.wireName() + "]");
    }
}
