package org.trustfleet.payload;

import java.time.Instant;
import java.util.UUID;

/**
 * A group's payload as served, without its bytes: what identifies the DER CMS SignedData bytes served to every
 * device of the group until the requirements version or the signer changes, or half the validity passed. That is all
 * a 304 (and a HEAD) needs; the bytes of a 200 are {@link PayloadBytes}' (or {@code signed_payload}'s), by group and
 * ETag.
 *
 * @param etag the strong entity tag, unquoted: lowercase hex SHA-256 of the CMS bytes
 * @param size the number of CMS bytes
 */
public record SignedPayload(UUID tenantId, UUID groupId, long version, UUID signerId, Instant issuedAt,
        Instant expiresAt, String etag, int size) {

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
