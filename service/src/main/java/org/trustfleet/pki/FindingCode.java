package org.trustfleet.pki;

/**
 * The vocabulary of scan findings (SSL Labs' chain-issue flags plus Trustfleet's own), stable because it is stored,
 * shown in reports and used as the {@code code} of requirement reasons.
 */
public enum FindingCode {
    /** The server does not send an intermediate needed to reach a root. */
    MISSING_INTERMEDIATE,
    /** A missing intermediate was obtained through the leaf's AIA caIssuers URL (browsers do this, Android does not). */
    AIA_FETCHED,
    /** The AIA caIssuers URL was absent, unreachable or returned garbage. */
    AIA_UNAVAILABLE,
    /** The certificates are not sent in leaf-to-root order. */
    WRONG_ORDER,
    /** A presented certificate is not on the path from the leaf (unrelated certificate). */
    EXTRA_CERTIFICATE,
    /** The server sends the self-signed root itself (harmless but wasteful). */
    CONTAINS_ROOT,
    /** The chain ends at a root not in the relevant trust store. */
    UNTRUSTED_ROOT,
    /** A presented certificate is past notAfter. */
    EXPIRED,
    /** A presented certificate is before notBefore. */
    NOT_YET_VALID,
    /** A presented certificate expires within the configured window. */
    EXPIRES_SOON,
    /** The leaf does not cover the endpoint's name. */
    HOSTNAME_MISMATCH,
    /** MD5 or SHA-1 signature on a non-root certificate. */
    WEAK_SIGNATURE,
    /** RSA below 2048 or EC below 256 bits. */
    WEAK_KEY,
    /** The endpoint only presents the right certificate when the client sends SNI. */
    SNI_REQUIRED,
    /** The presented chain differs from the previous scan. */
    CHAIN_CHANGED,
    /** The same certificate is sent more than once. */
    DUPLICATE_CERTIFICATE,
    /** More certificates than the configured limit are sent. */
    TOO_MANY_CERTIFICATES,
    /**
     * Path building hit its cap on signature verifications (a hostile or absurd chain), so a level that rejects the
     * chain may do so because the search stopped, not because Android would.
     */
    PATH_BUILDING_LIMIT
}
