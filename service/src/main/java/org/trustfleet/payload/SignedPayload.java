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
        return freshAt(issuedAt, expiresAt, now);
    }

    /**
     * Whether a payload issued at {@code issuedAt} and expiring at {@code expiresAt} is still served as it is at
     * {@code now}: while more than half of its validity is left. The one rule for a payload in memory and a stored
     * row alike.
     */
    static boolean freshAt(Instant issuedAt, Instant expiresAt, Instant now) {
        return now.isBefore(issuedAt.plus(java.time.Duration.between(issuedAt, expiresAt).dividedBy(2)));
    }
}
