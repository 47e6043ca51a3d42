package org.trustfleet.device;

import java.time.Instant;
import java.util.UUID;

/** A new enrollment token; {@code token} is shown in this response only (the database holds its hash). */
public record IssuedEnrollmentToken(UUID id, String token, UUID deviceGroupId, Instant expiresAt, int maxUses) {}
