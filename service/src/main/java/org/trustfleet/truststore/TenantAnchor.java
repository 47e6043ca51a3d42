package org.trustfleet.truststore;

import java.time.Instant;
import java.util.UUID;

/** A private CA a tenant trusts (root or intermediate), as shown through the API. */
public record TenantAnchor(UUID id, String sha256, String subject, Instant notAfter, boolean selfSigned, String note,
        Instant createdAt) {}
