package org.trustfleet.device;

import java.time.Instant;
import java.util.UUID;

/**
 * An issued enrollment token as an admin lists it: never the token itself (only its hash is stored), but its
 * display prefix, group, limits, uses so far and state.
 */
public record EnrollmentTokenView(UUID id, String tokenPrefix, UUID deviceGroupId, Instant createdAt,
        Instant expiresAt, int maxUses, int uses, Instant revokedAt, EnrollmentTokenState state) {}
