package org.trustfleet.scan;

import java.time.Instant;
import java.util.UUID;

/**
 * A tenant's sign-in endpoint to watch (AD FS/STS, login, autodiscover, ActiveSync).
 *
 * @param serverName the SNI name and the name to verify, when {@code host} is an address or differs from it
 */
public record Endpoint(UUID id, UUID tenantId, String name, String host, int port, String serverName,
        int scanIntervalMinutes, Instant createdAt, Instant updatedAt) {

    /** The name a device checks the certificate against. */
    public String verifiedName() {
        return serverName != null ? serverName : host;
    }
}
