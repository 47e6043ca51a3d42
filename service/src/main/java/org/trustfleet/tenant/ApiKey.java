package org.trustfleet.tenant;

import java.time.Instant;
import java.util.UUID;

/** An API key as listed to admins: never the token, only a short prefix to recognise it by. */
public record ApiKey(UUID id, UUID tenantId, String name, Role role, String tokenPrefix, Instant createdAt,
        Instant revokedAt) {}
