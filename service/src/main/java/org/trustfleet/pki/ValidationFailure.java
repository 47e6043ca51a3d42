package org.trustfleet.pki;

/** Why Android would reject a chain; one code per result so reports and policy can branch on it. */
public enum ValidationFailure {
    /** Nothing was presented. */
    EMPTY_CHAIN,
    /** No path from the leaf reaches any anchor using only the presented certificates (no AIA on Android). */
    NO_PATH,
    /** A certificate of the path (anchor excepted) is past notAfter. */
    EXPIRED,
    /** A certificate of the path (anchor excepted) is before notBefore. */
    NOT_YET_VALID,
    /** An issuer is not a CA, or a pathLenConstraint is exceeded. */
    BASIC_CONSTRAINTS,
    /** An issuer's keyUsage lacks keyCertSign. */
    KEY_USAGE,
    /** The leaf's extendedKeyUsage does not allow TLS server authentication. */
    EXTENDED_KEY_USAGE,
    /** A name constraint of an issuer excludes a name below it. */
    NAME_CONSTRAINTS,
    /** A signature on the path does not verify. */
    BAD_SIGNATURE,
    /** MD5/SHA-1 signature on a non-anchor certificate, refused by Conscrypt's ChainStrengthAnalyzer. */
    WEAK_SIGNATURE,
    /** RSA &lt; 1024 or EC &lt; 160 bits on a non-anchor certificate, refused by Conscrypt. */
    WEAK_KEY,
    /** An unrecognised critical extension. */
    UNSUPPORTED_CRITICAL_EXTENSION,
    /** The chain is trusted but the leaf does not match the requested host name or address. */
    HOSTNAME_MISMATCH,
    /** PKIX rejected the path for a reason not listed above (see the detail). */
    INVALID
}
