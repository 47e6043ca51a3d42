package org.trustfleet.device;

import java.util.UUID;

/**
 * What an agent receives at enrollment: its id and bearer token (shown once), the signer chain whose root it pins,
 * and where to fetch its payload.
 */
public record Enrollment(UUID deviceId, String deviceToken, UUID tenantId, UUID deviceGroupId,
        String payloadSignerChain, String payloadUrl) {}
