package org.trustfleet.scan;

/**
 * Outcome of an AIA {@code caIssuers} look-up, so that an {@code AIA_UNAVAILABLE} finding can say why the missing
 * issuer could not be fetched.
 */
public enum AiaStatus {
    /** The issuer certificate was fetched (and, at hop level, verified as the issuer). */
    FETCHED,
    /** The certificate has no Authority Information Access extension or no caIssuers entry in it. */
    NO_AIA_EXTENSION,
    /** The URL scheme is not http/https (e.g. ldap); at hop level: every caIssuers URL was unsupported. */
    UNSUPPORTED_SCHEME,
    /** The URL (or the AIA extension holding it) is malformed. */
    INVALID_URL,
    /** The server answered with a non-200 status. */
    HTTP_ERROR,
    /** More redirects than {@link AiaFetcher#MAX_REDIRECTS}. */
    TOO_MANY_REDIRECTS,
    /** Connect or response did not complete within {@link ScannerSettings#aiaTimeout()}. */
    TIMEOUT,
    /** The body exceeded {@link ScannerSettings#aiaMaxBytes()}. */
    TOO_LARGE,
    /** The body is neither a DER/PEM certificate nor a certs-only PKCS#7, or the HTTP response is malformed. */
    UNPARSEABLE,
    /** The URL's host resolves only to addresses refused by {@link AddressGuard}; nothing was contacted. */
    BLOCKED_ADDRESS,
    /** The URL's host could not be resolved. */
    DNS_FAILURE,
    /** The TCP (or TLS, for https) connection failed. */
    CONNECT_FAILED,
    /** Certificates were fetched but none of them issued (signed) the certificate in question. */
    NOT_ISSUER,
    /** Not fetched: the scan's AIA deadline or fetch count ({@link AiaBudget}) was used up first. */
    BUDGET_EXHAUSTED
}
