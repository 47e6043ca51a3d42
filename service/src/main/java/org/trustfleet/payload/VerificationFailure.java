package org.trustfleet.payload;

/** Why {@link CmsPayloadVerifier} refused a payload. */
public enum VerificationFailure {
    /** Not CMS SignedData, detached or non-id-data content, not exactly one signer, no signed attributes, or invalid payload JSON. */
    MALFORMED,
    /** Digest or signature algorithm other than SHA-256/384/512 with ECDSA. */
    UNSUPPORTED_ALGORITHM,
    /**
     * The signer certificate is missing from the CMS, not issued by the pinned root, is a CA, lacks the
     * digitalSignature key usage, names no tenant, or the pinned root is not a CA.
     */
    UNTRUSTED_SIGNER,
    /** The signer certificate or the pinned root is expired or not yet valid at verification time. */
    SIGNER_EXPIRED,
    /** Message digest or signature does not verify (content or signed attributes changed). */
    BAD_SIGNATURE,
    /** The signer certificate or the document names another tenant than the expected one. */
    WRONG_TENANT
}
