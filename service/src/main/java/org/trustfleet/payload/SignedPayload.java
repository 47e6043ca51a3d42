package org.trustfleet.payload;

import java.time.Instant;
import java.util.UUID;

/**
 * A group's payload as served: the DER CMS SignedData bytes and what identifies them. The same bytes are served
 * to every device of the group until the requirements version or the signer changes, or half the validity passed.
 *
 * @param etag the strong entity tag, unquoted: lowercase hex SHA-256 of {@code cms}
 * @param cms  DER ContentInfo/SignedData; shared, never modify
 */
public record SignedPayload(UUID tenantId, UUID groupId, long version, UUID signerId, Instant issuedAt,
        Instant expiresAt, String etag, byte[] cms) {

    /** True while more than half of the validity is left at {@code now}. */
    public boolean freshAt(Instant now) {
        return now.isBefore(issuedAt.plus(java.time.Duration.between(issuedAt, expiresAt).dividedBy(2)));
    }
}
