package org.trustfleet.payload;

import java.util.Objects;
import java.util.UUID;

/**
 * An endpoint of the group that devices verify themselves after reconciling: they open a connection to
 * {@code host:port} (sending {@code serverName} as SNI and checking the certificate against it, or {@code host} when
 * it is null) with their platform's default trust manager and report the outcome.
 *
 * @param protocol {@link #TLS} today; an agent skips a protocol it does not know and reports it unreachable
 */
public record PayloadEndpoint(UUID endpointId, String host, int port, String serverName, String protocol) {
    /** A TLS handshake, the certificate checked against the endpoint's name. */
    public static final String TLS = "tls";

    public PayloadEndpoint {
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(protocol, "protocol");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535");
        }
    }
}
