package org.trustfleet.policy;

/** Why an (endpoint, API level) cannot be fixed by installing certificates. */
public enum UnresolvedCode {
    /** The latest scan could not reach the endpoint. */
    ENDPOINT_UNREACHABLE,
    /** The endpoint has not been scanned (or its observation was not supplied). */
    NOT_SCANNED,
    /** The leaf certificate is past notAfter. */
    EXPIRED_LEAF,
    /** The leaf certificate is before notBefore. */
    NOT_YET_VALID_LEAF,
    /** The leaf does not cover the endpoint's name (subjectAltName). */
    HOSTNAME_MISMATCH,
    /** No path from the leaf to any usable certificate, even with known and AIA-fetched intermediates. */
    NO_PATH,
    /** A certificate the path needs is expired or not yet valid, and no valid alternative exists. */
    EXPIRED_CHAIN,
    /** The path fails for another reason (key usage, path length, name constraints, signature...); see detail. */
    INVALID_CHAIN,
    /** Only certificates the group excludes would fix it; the detail names them. */
    EXCLUDED_CERTIFICATE_NEEDED
}
