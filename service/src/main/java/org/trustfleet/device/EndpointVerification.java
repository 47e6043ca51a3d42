package org.trustfleet.device;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A device's latest verification of one endpoint, as admins see it.
 *
 * @param chain SHA-256 ids of the chain the device received, leaf first (only for {@code UNTRUSTED})
 */
public record EndpointVerification(UUID endpointId, VerificationOutcome outcome, String detail, List<String> chain,
        long payloadVersion, Instant verifiedAt) {
    public EndpointVerification {
        chain = List.copyOf(chain);
    }
}
