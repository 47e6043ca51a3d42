package org.trustfleet.payload;

import java.util.UUID;

/** A tenant's active signer with the id of its database row (payloads remember which signer made them). */
public record ActiveSigner(UUID id, TenantSigner signer) {}
