package org.trustfleet.scan;

import java.time.Instant;
import java.util.UUID;

/**
 * A tenant's sign-in endpoint to watch (AD FS/STS, login, autodiscover, ActiveSync, mail servers).
 *
 * @param serverName the SNI name and the name to verify, when {@code host} is an address or differs from it
 * @param protocol   a {@link StartTlsProtocol} wire name: {@code tls}, or the mail protocol whose STARTTLS comes first
 */
public record Endpoint(UUID id, UUID tenantId, String name, String host, int port, String serverName,
        String protocol, int scanIntervalMinutes, Instant createdAt, Instant updatedAt) {

    /** What the probe speaks before TLS. */
    public StartTlsProtocol startTlsProtocol() {
        return StartTlsProtocol.fromWire(protocol).orElse(StartTlsProtocol.TLS);
    }

    /** Where the scanner probes it. */
    public ProbeTarget probeTarget() {
        return ProbeTarget.of(host, port, serverName, startTlsProtocol());
    }

    /** The name a device checks the certificate against. */
    public String verifiedName() {
        return serverName != null ? serverName : host;
    }
}
