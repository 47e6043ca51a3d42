package org.trustfleet.payload;

import java.util.UUID;

/** Fired when a tenant got a new payload signer, so that payloads signed by the old one are re-signed. */
public record SignerRotated(UUID tenantId) {}
