package org.trustfleet.agent;

/** Why the agent refused a delivered payload; the local CA store is untouched in every case. */
public enum RejectionReason {
    /** Not a CMS SignedData payload of the expected shape, or its JSON is invalid. */
    MALFORMED,
    /** Digest or signature algorithm not accepted. */
    UNSUPPORTED_ALGORITHM,
    /** The signer does not chain to the pinned payload root (or is not a proper payload signer). */
    UNTRUSTED_SIGNER,
    /** The signer certificate or the pinned root is outside its validity period. */
    SIGNER_EXPIRED,
    /** Signature or message digest does not verify: the bytes were changed. */
    BAD_SIGNATURE,
    /** Signed for, or naming, another tenant. */
    WRONG_TENANT,
    /** Names another device group than the one this device belongs to. */
    WRONG_GROUP,
    /** Lower version than the last accepted one, or the same version with a different certificate set or an older issuedAt. */
    ROLLBACK,
    /** {@code expiresAt} is in the past (freeze attack or a server that stopped refreshing). */
    EXPIRED
}
